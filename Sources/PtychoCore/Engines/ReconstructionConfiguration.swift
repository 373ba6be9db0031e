import Foundation

/// Every option of a reconstruction, as one JSON document (snake_case keys). The job service submits
/// exactly this document; CLI flags override it. Decoding rejects unknown keys and wrong types with the
/// key named, and every key is optional: absent keys take the documented defaults, and the encoded form
/// (written into each result) always holds the complete configuration.
public struct ReconstructionConfiguration: Codable, Equatable, Sendable {
    /// Input data file (CXI, PtychoShelves or PtyLab; the layout is detected).
    public var input: String?
    /// Result file to write.
    public var output: String?
    /// Engine plan, e.g. `DM:200,ePIE:50`.
    public var engine: String = "DM:100,ePIE:20"
    /// Number of incoherent probe modes.
    public var probeModes: Int = 1
    /// Worker threads (0 = every core).
    public var threads: Int = 0
    /// Seed for random scan orders and initial-mode patterns.
    public var seed: UInt64 = 1
    /// How the file's translation is read; `nil` = the CXI text (sample translation).
    public var translation: TranslationConvention? = nil
    /// Photon energy, J, for inputs that record none (PtychoShelves; refused for other layouts).
    public var energy: Double? = nil
    /// Sample–detector distance, m (PtychoShelves only, like `energy`).
    public var distance: Double? = nil
    /// Detector pixel pitch, square pixels, m (PtychoShelves only, like `energy`).
    public var detectorPixelSize: Double? = nil
    /// A previous result file whose probe starts this reconstruction.
    public var probe: String? = nil
    /// Beam diameter at the sample for the initial probe, m; `nil` = chosen automatically.
    public var probeDiameter: Double? = nil
    /// First iteration (1-based, across the plan) that updates the probe.
    public var probeUpdateStart: Int = 3
    /// Power fraction given to each extra probe mode at the start.
    public var modePower: Double = 0.05
    /// ePIE step sizes.
    public var epieAlpha: Float = 1
    public var epieBeta: Float = 1
    /// DM(α) parameter (1 = classic difference map) and overlap inertia.
    public var dmAlpha: Float = 1
    public var dmObjectInertia: Float = 0.01
    public var dmProbeInertia: Float = 0.001
    /// DM's power-bound relaxation of the modulus projection, in units of the expected Poisson noise.
    public var dmFourierRelaxation: Float = 2
    /// `auto`, `bar`, `jsonl` or `none`.
    public var progress: String = "auto"
    /// Memory limit in bytes; `nil` = the memory available on this machine.
    public var maxMemory: Int64? = nil
    /// Compute device: `cpu` (the only one so far) or `auto`.
    public var device: String = "auto"
    // maximum likelihood
    /// ML noise model: `poisson` (default) or `gaussian` (Gaussian noise on the amplitude).
    public var mlNoiseModel: LikelihoodNoiseModel = .poisson
    /// ML smoothness prior on the object, relative to the mean photon count per object pixel (0 = none).
    public var mlObjectRegularisation: Double = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case input, output, engine, probeModes = "probe_modes", threads, seed, translation
        case energy, distance, detectorPixelSize = "detector_pixel_size", probe
        case probeDiameter = "probe_diameter", probeUpdateStart = "probe_update_start"
        case modePower = "mode_power", epieAlpha = "epie_alpha", epieBeta = "epie_beta"
        case dmAlpha = "dm_alpha", dmObjectInertia = "dm_object_inertia", dmProbeInertia = "dm_probe_inertia"
        case dmFourierRelaxation = "dm_fourier_relaxation"
        case progress, maxMemory = "max_memory", device
        // maximum likelihood
        case mlNoiseModel = "ml_noise_model", mlObjectRegularisation = "ml_object_regularisation"
    }

    public init(from decoder: Decoder) throws {
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        let all = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = all.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            throw ConfigurationError.unknownKey(unknown)
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            do { return try c.decodeIfPresent(T.self, forKey: key) ?? fallback } catch {
                throw ConfigurationError.wrongType(key: key.rawValue, expected: "\(T.self)")
            }
        }
        func optional<T: Decodable>(_ key: CodingKeys) throws -> T? {
            do { return try c.decodeIfPresent(T.self, forKey: key) } catch {
                throw ConfigurationError.wrongType(key: key.rawValue, expected: "\(T.self)")
            }
        }
        input = try optional(.input)
        output = try optional(.output)
        engine = try value(.engine, engine)
        probeModes = try value(.probeModes, probeModes)
        threads = try value(.threads, threads)
        seed = try value(.seed, seed)
        translation = try optional(.translation)
        energy = try optional(.energy)
        distance = try optional(.distance)
        detectorPixelSize = try optional(.detectorPixelSize)
        probe = try optional(.probe)
        probeDiameter = try optional(.probeDiameter)
        probeUpdateStart = try value(.probeUpdateStart, probeUpdateStart)
        modePower = try value(.modePower, modePower)
        epieAlpha = try value(.epieAlpha, epieAlpha)
        epieBeta = try value(.epieBeta, epieBeta)
        dmAlpha = try value(.dmAlpha, dmAlpha)
        dmObjectInertia = try value(.dmObjectInertia, dmObjectInertia)
        dmProbeInertia = try value(.dmProbeInertia, dmProbeInertia)
        dmFourierRelaxation = try value(.dmFourierRelaxation, dmFourierRelaxation)
        progress = try value(.progress, progress)
        maxMemory = try optional(.maxMemory)
        device = try value(.device, device)
        // maximum likelihood
        if let name: String = try optional(.mlNoiseModel) {
            guard let model = LikelihoodNoiseModel(rawValue: name.lowercased()) else {
                throw ConfigurationError.invalidValue(key: "ml_noise_model", reason: "must be poisson or gaussian")
            }
            mlNoiseModel = model
        }
        mlObjectRegularisation = try value(.mlObjectRegularisation, mlObjectRegularisation)
    }

    /// Reads a configuration document; errors name the offending key.
    public static func decode(json: Data) throws -> ReconstructionConfiguration {
        do {
            return try JSONDecoder().decode(ReconstructionConfiguration.self, from: json)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError.notJSON("\(error)")
        }
    }

    /// The complete configuration as pretty, key-sorted JSON (every key present, `null` where unset).
    public func encodedJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(input, forKey: .input)
        try c.encode(output, forKey: .output)
        try c.encode(engine, forKey: .engine)
        try c.encode(probeModes, forKey: .probeModes)
        try c.encode(threads, forKey: .threads)
        try c.encode(seed, forKey: .seed)
        try c.encode(translation, forKey: .translation)
        try c.encode(energy, forKey: .energy)
        try c.encode(distance, forKey: .distance)
        try c.encode(detectorPixelSize, forKey: .detectorPixelSize)
        try c.encode(probe, forKey: .probe)
        try c.encode(probeDiameter, forKey: .probeDiameter)
        try c.encode(probeUpdateStart, forKey: .probeUpdateStart)
        try c.encode(modePower, forKey: .modePower)
        try c.encode(epieAlpha, forKey: .epieAlpha)
        try c.encode(epieBeta, forKey: .epieBeta)
        try c.encode(dmAlpha, forKey: .dmAlpha)
        try c.encode(dmObjectInertia, forKey: .dmObjectInertia)
        try c.encode(dmProbeInertia, forKey: .dmProbeInertia)
        try c.encode(dmFourierRelaxation, forKey: .dmFourierRelaxation)
        try c.encode(progress, forKey: .progress)
        try c.encode(maxMemory, forKey: .maxMemory)
        try c.encode(device, forKey: .device)
        // maximum likelihood
        try c.encode(mlNoiseModel.rawValue, forKey: .mlNoiseModel)
        try c.encode(mlObjectRegularisation, forKey: .mlObjectRegularisation)
    }

    /// Checks values that decoding cannot: ranges and the engine plan. Returns the parsed plan.
    public func validated() throws -> EnginePlan {
        let plan: EnginePlan
        do { plan = try EnginePlan(parsing: engine) } catch let error as EnginePlanError {
            throw ConfigurationError.invalidValue(key: "engine", reason: error.description)
        }
        guard probeModes >= 1 && probeModes <= 64 else {
            throw ConfigurationError.invalidValue(key: "probe_modes", reason: "must be between 1 and 64")
        }
        guard threads >= 0 else { throw ConfigurationError.invalidValue(key: "threads", reason: "must be ≥ 0") }
        guard modePower > 0 && modePower < 0.5 else {
            throw ConfigurationError.invalidValue(key: "mode_power", reason: "must be in (0, 0.5)")
        }
        if let d = probeDiameter, !(d > 0 && d.isFinite) {
            throw ConfigurationError.invalidValue(key: "probe_diameter", reason: "must be > 0 (metres)")
        }
        for (key, value, unit) in [("energy", energy, "joules"), ("distance", distance, "metres"),
                                   ("detector_pixel_size", detectorPixelSize, "metres")] {
            if let value, !(value > 0 && value.isFinite) {
                throw ConfigurationError.invalidValue(key: key, reason: "must be > 0 (\(unit))")
            }
        }
        guard ["auto", "bar", "jsonl", "none"].contains(progress) else {
            throw ConfigurationError.invalidValue(key: "progress", reason: "must be auto, bar, jsonl or none")
        }
        guard ["auto", "cpu"].contains(device.lowercased()) else {
            throw ConfigurationError.invalidValue(key: "device", reason: "'\(device)' is not available (cpu, auto)")
        }
        guard dmFourierRelaxation >= 0 && dmFourierRelaxation.isFinite else {
            throw ConfigurationError.invalidValue(key: "dm_fourier_relaxation", reason: "must be ≥ 0")
        }
        if let m = maxMemory, m <= 0 {
            throw ConfigurationError.invalidValue(key: "max_memory", reason: "must be > 0 bytes")
        }
        // maximum likelihood
        guard mlObjectRegularisation >= 0 && mlObjectRegularisation.isFinite else {
            throw ConfigurationError.invalidValue(key: "ml_object_regularisation", reason: "must be ≥ 0 (0 = none)")
        }
        return plan
    }
}

public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case unknownKey(String)
    case wrongType(key: String, expected: String)
    case invalidValue(key: String, reason: String)
    case notJSON(String)

    public var description: String {
        switch self {
        case .unknownKey(let k): return "configuration: unknown key '\(k)'"
        case .wrongType(let k, let t): return "configuration: key '\(k)' has the wrong type (expected \(t))"
        case .invalidValue(let k, let r): return "configuration: key '\(k)': \(r)"
        case .notJSON(let d): return "configuration: not a JSON object (\(d))"
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
