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
    /// Negative or non-finite values on pixels the file's mask calls good: `refuse` the file, or `mask` them.
    public var invalidValues: InvalidValuePolicy = .refuse
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
    /// Compute device: `auto` (an OpenCL GPU when present and the plan runs there, else the CPU), `cpu`,
    /// `opencl` (the first OpenCL device) or an OpenCL device's name substring or index.
    public var device: String = "auto"
    // checkpoints
    /// Write `<output stem>.checkpoint.h5` every this many iterations (and when stopped); `nil` = never.
    public var checkpointEvery: Int? = nil
    /// FFTW planning: `measure` (times candidate algorithms) or `estimate` (no timing: the same plans in
    /// every process, so separate runs round identically).
    public var fftPlanning: String = "measure"

    // Position refinement and initial guesses (issue 3, items 5–6); checked by `validatePositionRefinementAndInitialGuesses`.
    /// First iteration (1-based, across the plan) that refines the scan positions; `nil` = never.
    public var refinePositionsStart: Int? = nil
    /// Largest position change per iteration and axis, object pixels.
    public var positionStepLimit: Double = 0.5
    /// Initial probe model: `auto`, `circular`, `rectangular`, `zone_plate`, `gaussian` or `file`.
    public var probeModel: String = "auto"
    /// Rectangular aperture width (x) and height (y) at the sample, m.
    public var probeWidth: Double? = nil
    public var probeHeight: Double? = nil
    /// Propagation distance from the aperture plane or the zone plate's focus to the sample, m.
    public var probeDefocus: Double? = nil
    /// Gaussian beam's intensity FWHM at the sample, m.
    public var probeFWHM: Double? = nil
    /// Fresnel zone plate: diameter, outer-zone width and central-stop diameter, m.
    public var zonePlateDiameter: Double? = nil
    public var zonePlateOuterZoneWidth: Double? = nil
    public var zonePlateCentralStop: Double? = nil
    /// Initial object: `ones`, or a result file whose `/entry_1/object/data` mode 0 starts the object.
    public var objectInit: String = "ones"
    // rPIE / mPIE / RAAR / background
    /// rPIE/mPIE regularisation weights α_O, α_P in (0, 1]; 1 is ePIE's normalisation (steps: `epie_alpha`,
    /// `epie_beta`).
    public var rpieObjectAlpha: Float = 0.1
    public var rpieProbeAlpha: Float = 1
    /// mPIE: positions between momentum steps (0 = a quarter of the positions), friction η, feedback ν.
    public var mpieInterval: Int = 0
    public var mpieFriction: Float = 0.7
    public var mpieFeedback: Float = 0.3
    /// RAAR relaxation β in (0, 1] (1 = classic DM).
    public var raarBeta: Float = 0.75
    /// Refine an incoherent background per detector pixel in the model Î = Σ_k|Ψ_k|² + B.
    public var background: Bool = false
    // maximum likelihood
    /// ML noise model: `poisson` (default) or `gaussian` (Gaussian noise on the amplitude).
    public var mlNoiseModel: LikelihoodNoiseModel = .poisson
    /// ML smoothness prior on the object, relative to the mean photon count per object pixel (0 = none).
    public var mlObjectRegularisation: Double = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case input, output, engine, probeModes = "probe_modes", threads, seed, translation
        case invalidValues = "invalid_values"
        case energy, distance, detectorPixelSize = "detector_pixel_size", probe
        case probeDiameter = "probe_diameter", probeUpdateStart = "probe_update_start"
        case modePower = "mode_power", epieAlpha = "epie_alpha", epieBeta = "epie_beta"
        case dmAlpha = "dm_alpha", dmObjectInertia = "dm_object_inertia", dmProbeInertia = "dm_probe_inertia"
        case dmFourierRelaxation = "dm_fourier_relaxation"
        case progress, maxMemory = "max_memory", device
        // checkpoints
        case checkpointEvery = "checkpoint_every", fftPlanning = "fft_planning"
        // Position refinement and initial guesses (issue 3, items 5–6).
        case refinePositionsStart = "refine_positions_start", positionStepLimit = "position_step_limit"
        case probeModel = "probe_model", probeWidth = "probe_width", probeHeight = "probe_height"
        case probeDefocus = "probe_defocus", probeFWHM = "probe_fwhm", zonePlateDiameter = "zone_plate_diameter"
        case zonePlateOuterZoneWidth = "zone_plate_outer_zone_width"
        case zonePlateCentralStop = "zone_plate_central_stop", objectInit = "object_init"
        // rPIE / mPIE / RAAR / background
        case rpieObjectAlpha = "rpie_object_alpha", rpieProbeAlpha = "rpie_probe_alpha"
        case mpieInterval = "mpie_interval", mpieFriction = "mpie_friction", mpieFeedback = "mpie_feedback"
        case raarBeta = "raar_beta", background
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
        if let name: String = try optional(.invalidValues) {
            guard let policy = InvalidValuePolicy(named: name) else {
                throw ConfigurationError.invalidValue(key: "invalid_values", reason: "must be \(InvalidValuePolicy.choices)")
            }
            invalidValues = policy
        }
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
        // checkpoints
        checkpointEvery = try optional(.checkpointEvery)
        fftPlanning = try value(.fftPlanning, fftPlanning)
        // Position refinement and initial guesses (issue 3, items 5–6).
        refinePositionsStart = try optional(.refinePositionsStart)
        positionStepLimit = try value(.positionStepLimit, positionStepLimit)
        probeModel = try value(.probeModel, probeModel)
        probeWidth = try optional(.probeWidth)
        probeHeight = try optional(.probeHeight)
        probeDefocus = try optional(.probeDefocus)
        probeFWHM = try optional(.probeFWHM)
        zonePlateDiameter = try optional(.zonePlateDiameter)
        zonePlateOuterZoneWidth = try optional(.zonePlateOuterZoneWidth)
        zonePlateCentralStop = try optional(.zonePlateCentralStop)
        objectInit = try value(.objectInit, objectInit)
        // rPIE / mPIE / RAAR / background
        rpieObjectAlpha = try value(.rpieObjectAlpha, rpieObjectAlpha)
        rpieProbeAlpha = try value(.rpieProbeAlpha, rpieProbeAlpha)
        mpieInterval = try value(.mpieInterval, mpieInterval)
        mpieFriction = try value(.mpieFriction, mpieFriction)
        mpieFeedback = try value(.mpieFeedback, mpieFeedback)
        raarBeta = try value(.raarBeta, raarBeta)
        background = try value(.background, background)
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
        try c.encode(invalidValues, forKey: .invalidValues)
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
        // checkpoints
        try c.encode(checkpointEvery, forKey: .checkpointEvery)
        try c.encode(fftPlanning, forKey: .fftPlanning)
        // Position refinement and initial guesses (issue 3, items 5–6).
        try c.encode(refinePositionsStart, forKey: .refinePositionsStart)
        try c.encode(positionStepLimit, forKey: .positionStepLimit)
        try c.encode(probeModel, forKey: .probeModel)
        try c.encode(probeWidth, forKey: .probeWidth)
        try c.encode(probeHeight, forKey: .probeHeight)
        try c.encode(probeDefocus, forKey: .probeDefocus)
        try c.encode(probeFWHM, forKey: .probeFWHM)
        try c.encode(zonePlateDiameter, forKey: .zonePlateDiameter)
        try c.encode(zonePlateOuterZoneWidth, forKey: .zonePlateOuterZoneWidth)
        try c.encode(zonePlateCentralStop, forKey: .zonePlateCentralStop)
        try c.encode(objectInit, forKey: .objectInit)
        // rPIE / mPIE / RAAR / background
        try c.encode(rpieObjectAlpha, forKey: .rpieObjectAlpha)
        try c.encode(rpieProbeAlpha, forKey: .rpieProbeAlpha)
        try c.encode(mpieInterval, forKey: .mpieInterval)
        try c.encode(mpieFriction, forKey: .mpieFriction)
        try c.encode(mpieFeedback, forKey: .mpieFeedback)
        try c.encode(raarBeta, forKey: .raarBeta)
        try c.encode(background, forKey: .background)
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
        // Which OpenCL device a name matches is known only where the run happens (ptychite reconstruct).
        guard !device.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigurationError.invalidValue(key: "device", reason: "must be auto, cpu, opencl or a device name")
        }
        guard dmFourierRelaxation >= 0 && dmFourierRelaxation.isFinite else {
            throw ConfigurationError.invalidValue(key: "dm_fourier_relaxation", reason: "must be ≥ 0")
        }
        if let m = maxMemory, m <= 0 {
            throw ConfigurationError.invalidValue(key: "max_memory", reason: "must be > 0 bytes")
        }
        // checkpoints
        if let k = checkpointEvery, k < 1 {
            throw ConfigurationError.invalidValue(key: "checkpoint_every", reason: "must be ≥ 1 iteration")
        }
        guard planningEffort != nil else {
            throw ConfigurationError.invalidValue(key: "fft_planning", reason: "must be measure or estimate")
        }
        try validatePositionRefinementAndInitialGuesses()
        // rPIE / mPIE / RAAR / background
        for (key, value) in [("rpie_object_alpha", rpieObjectAlpha), ("rpie_probe_alpha", rpieProbeAlpha)]
        where !(value > 0 && value <= 1) {
            throw ConfigurationError.invalidValue(key: key, reason: "must be in (0, 1] (1 = ePIE's normalisation)")
        }
        guard mpieInterval >= 0 else {
            throw ConfigurationError.invalidValue(key: "mpie_interval", reason: "must be ≥ 0 positions (0 = automatic)")
        }
        guard mpieFriction >= 0 && mpieFriction < 1 else {
            throw ConfigurationError.invalidValue(key: "mpie_friction", reason: "must be in [0, 1)")
        }
        guard mpieFeedback >= 0 && mpieFeedback <= 1 else {
            throw ConfigurationError.invalidValue(key: "mpie_feedback", reason: "must be in [0, 1]")
        }
        guard raarBeta > 0 && raarBeta <= 1 else {
            throw ConfigurationError.invalidValue(key: "raar_beta", reason: "must be in (0, 1] (1 = classic DM)")
        }
        // maximum likelihood
        guard mlObjectRegularisation >= 0 && mlObjectRegularisation.isFinite else {
            throw ConfigurationError.invalidValue(key: "ml_object_regularisation", reason: "must be ≥ 0 (0 = none)")
        }
        return plan
    }
}

extension ReconstructionConfiguration {
    /// The FFTW planning effort `fft_planning` names, or `nil` for an unknown name.
    public var planningEffort: FFTPlanningEffort? {
        switch fftPlanning.lowercased() {
        case "measure": return .measure
        case "estimate": return .estimate
        default: return nil
        }
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
