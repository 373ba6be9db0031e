/// Dataset paths of Ptychite's output file (spec: data-format.md, "Output"), shared by writer and reader.
public enum ResultLayout {
    public static let version = "/cxi_version"
    /// The CXI version written in `/cxi_version`.
    public static let cxiVersion: Int64 = 160
    public static let entry = "/entry_1"
    public static let object = "/entry_1/object"
    public static let objectData = object + "/data"
    public static let objectXPixelSize = object + "/x_pixel_size"
    public static let objectYPixelSize = object + "/y_pixel_size"
    public static let illumination = object + "/illumination"
    public static let probe = "/entry_1/probe"
    public static let probeData = probe + "/data"
    public static let modePower = probe + "/mode_power"
    public static let positions = "/entry_1/positions"
    public static let initialPositions = positions + "/initial"
    public static let refinedPositions = positions + "/refined"
    /// Attribute of `positions` naming the `TranslationConvention` used on read.
    public static let translationConventionAttribute = "translation_convention"
    public static let process = "/entry_1/process_1"
    public static let history = process + "/history"
    public static let historyIteration = history + "/iteration"
    public static let historyEngine = history + "/engine"
    public static let historyFourierError = history + "/fourier_error"
    public static let historyPoissonNLL = history + "/llk_poisson"
    public static let historySeconds = history + "/seconds"
    /// float32 `(iterations, modes)`: each probe mode's power fraction after each iteration.
    public static let historyModePower = history + "/mode_power"
    public static let configuration = process + "/configuration"
    public static let program = process + "/program"
    public static let programVersion = process + "/version"
    public static let command = process + "/command"
    public static let date = process + "/date"
    public static let device = process + "/device"
    public static let instrument = "/entry_1/instrument_1"
    public static let energy = instrument + "/source_1/energy"
    public static let distance = instrument + "/detector_1/distance"
    public static let detectorXPixelSize = instrument + "/detector_1/x_pixel_size"
    public static let detectorYPixelSize = instrument + "/detector_1/y_pixel_size"
    /// Truth files only: simulated probe positions, and the object pixel of position (0, 0).
    public static let truePositions = positions + "/true"
    public static let originRow = object + "/origin_row"
    public static let originColumn = object + "/origin_column"
    // rPIE / mPIE / RAAR / background
    /// The refined incoherent background, float32 `(ny, nx)`, detector layout (centred, like the input
    /// frames), photons per pixel; only when the model has one (`background: true`).
    public static let background = process + "/background"
    /// Truth files only: the simulated background, float32 `(ny, nx)`, detector layout; only when simulated.
    public static let truthBackground = entry + "/background"
}
