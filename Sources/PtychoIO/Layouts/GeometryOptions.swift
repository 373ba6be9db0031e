/// Geometry the user supplies for a layout whose file records none (PtychoShelves prepared data).
///
/// Invariant: a value that is set is in SI units; readers check it finite and > 0 before use.
public struct GeometryOptions: Sendable, Equatable {
    /// Photon energy, J.
    public var energy: Double?
    /// Sample–detector distance, m.
    public var distance: Double?
    /// Detector pixel pitch (square pixels), m.
    public var detectorPixelSize: Double?

    public init(energy: Double? = nil, distance: Double? = nil, detectorPixelSize: Double? = nil) {
        self.energy = energy
        self.distance = distance
        self.detectorPixelSize = detectorPixelSize
    }

    /// The options that are set, in `GeometryOption.allCases` order.
    public var given: [GeometryOption] {
        GeometryOption.allCases.filter { value(of: $0) != nil }
    }

    public func value(of option: GeometryOption) -> Double? {
        switch option {
        case .energy: return energy
        case .distance: return distance
        case .detectorPixelSize: return detectorPixelSize
        }
    }
}

/// One geometry option, with the two names a user passes it by (command-line flag and configuration key),
/// so that an error can say exactly what to pass.
public enum GeometryOption: String, Sendable, CaseIterable, Equatable {
    case energy, distance, detectorPixelSize

    /// What the quantity is, for messages.
    public var quantity: String {
        switch self {
        case .energy: return "photon energy"
        case .distance: return "detector distance"
        case .detectorPixelSize: return "detector pixel size"
        }
    }

    /// The `ptychite reconstruct` / `info` flag (in the flag's own unit).
    public var flag: String {
        switch self {
        case .energy: return "--energy-kev"
        case .distance: return "--distance-m"
        case .detectorPixelSize: return "--detector-pixel-um"
        }
    }

    /// The key of the JSON configuration (SI units).
    public var configurationKey: String {
        switch self {
        case .energy: return "energy"
        case .distance: return "distance"
        case .detectorPixelSize: return "detector_pixel_size"
        }
    }

    /// `--energy-kev (configuration key "energy")`.
    public var howToPass: String { "\(flag) (configuration key \"\(configurationKey)\")" }
}
