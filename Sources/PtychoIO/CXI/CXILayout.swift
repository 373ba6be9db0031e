/// Dataset paths of the CXI 1.6 / NXcxi_ptycho layout (spec: data-format.md, "Inputs").
public enum CXILayout {
    /// Where the frames may be; the first is usually a soft link to the second.
    public static let dataPaths = ["/entry_1/data_1/data", "/entry_1/instrument_1/detector_1/data"]
    /// The NeXus entry every CXI file has.
    public static let entry = "/entry_1"
    public static let translation = "/entry_1/sample_1/geometry_1/translation"
    /// Photon energy in joules, in order of preference.
    public static let energyPaths = ["/entry_1/instrument_1/source_1/energy",
                                     "/entry_1/instrument_1/beam_1/incident_energy"]
    /// Wavelength in metres, used when no energy is present.
    public static let wavelengthPaths = ["/entry_1/instrument_1/source_1/wavelength",
                                         "/entry_1/instrument_1/beam_1/incident_wavelength"]
    public static let detector = "/entry_1/instrument_1/detector_1"
    public static let distance = detector + "/distance"
    public static let xPixelSize = detector + "/x_pixel_size"
    public static let yPixelSize = detector + "/y_pixel_size"
    public static let mask = detector + "/mask"
    public static let darkPaths = [detector + "/data_dark", detector + "/dark"]
    public static let monitor = "/entry_1/data_1/monitor"
    public static let version = "/cxi_version"

    /// Mask bit that means "has signal": the only bit that does not make a pixel bad.
    public static let hasSignalBit: Int64 = 0x1000
}

/// How a translation dataset is laid out.
public enum TranslationLayout: String, Sendable, CaseIterable {
    /// `(N, 3)`: one row `[x, y, z]` per frame (the CXI text, cdtools, ptychodus).
    case framesByAxes = "(N, 3)"
    /// `(3, N)`: one row per axis (what PyNX writes).
    case axesByFrames = "(3, N)"
}
