/// Physical constants used at the file boundary; everything inside Ptychite is SI.
public enum PhysicalConstants {
    /// h·c in J·m.
    public static let planckTimesLightSpeed = 1.98644586e-25
    /// One electronvolt in joules.
    public static let electronvolt = 1.602176634e-19

    /// Wavelength in metres of a photon of `energy` joules: λ = h·c / E.
    public static func wavelength(forEnergy energy: Double) -> Double { planckTimesLightSpeed / energy }
    /// Photon energy in joules for a wavelength in metres.
    public static func energy(forWavelength wavelength: Double) -> Double { planckTimesLightSpeed / wavelength }
}

/// Far-field geometry of one measurement: photon energy, detector distance and pixel pitch, frame size.
///
/// Invariants (checked by readers before construction): every length and the energy are finite and > 0,
/// frame extents ≥ 1.
public struct ExperimentGeometry: Sendable, Equatable, Codable {
    /// Photon energy, J.
    public var energy: Double
    /// Sample–detector distance, m.
    public var distance: Double
    /// Detector pixel pitch along y (rows) and x (columns), m.
    public var detectorPixelSize: (y: Double, x: Double) {
        get { (detectorPixelSizeY, detectorPixelSizeX) }
        set { detectorPixelSizeY = newValue.y; detectorPixelSizeX = newValue.x }
    }
    public var detectorPixelSizeY: Double
    public var detectorPixelSizeX: Double
    /// Frame extent in pixels, rows then columns.
    public var frameHeight: Int
    public var frameWidth: Int

    public init(energy: Double, distance: Double, detectorPixelSizeY: Double, detectorPixelSizeX: Double,
                frameHeight: Int, frameWidth: Int) {
        self.energy = energy
        self.distance = distance
        self.detectorPixelSizeY = detectorPixelSizeY
        self.detectorPixelSizeX = detectorPixelSizeX
        self.frameHeight = frameHeight
        self.frameWidth = frameWidth
    }

    /// Wavelength, m.
    public var wavelength: Double { PhysicalConstants.wavelength(forEnergy: energy) }

    /// Object-plane pixel size per axis, `λ·z / (N·p)`, m.
    public var objectPixelSize: (y: Double, x: Double) {
        (wavelength * distance / (Double(frameHeight) * detectorPixelSizeY),
         wavelength * distance / (Double(frameWidth) * detectorPixelSizeX))
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.energy == b.energy && a.distance == b.distance && a.detectorPixelSizeY == b.detectorPixelSizeY
            && a.detectorPixelSizeX == b.detectorPixelSizeX && a.frameHeight == b.frameHeight
            && a.frameWidth == b.frameWidth
    }
}
