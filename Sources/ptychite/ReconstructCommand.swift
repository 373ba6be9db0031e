import ArgumentParser
import Foundation
import PtychoCore

struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Reconstruct object and probe from a CXI, PtychoShelves or PtyLab file with an engine plan.",
        discussion: """
            Options come from --config (one JSON document holding every option, snake_case keys) and are \
            overridden by flags. The complete configuration is recorded in the result. With --progress jsonl \
            (the default when standard output is not a terminal) each iteration prints one JSON object: \
            iteration, of, engine, fourier_error, llk_poisson, seconds, mode_power (array).
            """)

    @Argument(help: "Input file: CXI, PtychoShelves or PtyLab, detected (or set \"input\" in --config).")
    var input: String?
    @Option(name: .shortAndLong, help: "Result file (default: <input stem>_result.h5).") var output: String?
    @Option(help: "JSON configuration document.") var config: String?
    @Option(help: "Engine plan, e.g. DM:200,ePIE:50 (names case-insensitive).") var engine: String?
    @Option(name: .customLong("probe-modes"), help: "Number of incoherent probe modes.") var probeModes: Int?
    @Option(help: "Worker threads (0 = every core).") var threads: Int?
    @Option(help: "Seed for random orders and initial modes.") var seed: UInt64?
    @Option(help: "How to read the CXI translation: sample (the CXI text, default) or probe.") var translation: String?
    @Option(name: .customLong("invalid-values"),
            help: "Negative or non-finite values on unmasked pixels: refuse (default) or mask (mask those pixels in every frame).")
    var invalidValues: String?
    @OptionGroup var geometry: GeometryFlags
    @Option(help: "Start from the probe of a previous result file.") var probe: String?
    @Option(name: .customLong("probe-diameter-um"), help: "Initial beam diameter at the sample, µm (default: chosen by trial).")
    var probeDiameter: Double?
    @Option(name: .customLong("probe-update-start"), help: "First iteration that updates the probe.") var probeUpdateStart: Int?
    @Option(help: "Progress: auto, bar, jsonl or none.") var progress: String?
    @Option(name: .customLong("max-memory"), help: "Refuse to run above this much memory, e.g. 8G, 512M or bytes.")
    var maxMemory: String?
    @Option(help: "Compute device: auto (an OpenCL GPU if present, else the CPU), cpu, opencl, or an OpenCL device name or index (see ptychite info --devices). Default: PTYCHITE_DEVICE or auto.") var device: String?
    // checkpoints
    @Option(name: .customLong("checkpoint-every"),
            help: "Write <output stem>.checkpoint.h5 every K iterations and when stopped by SIGINT/SIGTERM.")
    var checkpointEvery: Int?
    @Option(name: .customLong("fft-planning"), help: "FFTW planning: measure (default) or estimate (same plans in every run).")
    var fftPlanning: String?
    @Option(help: "Continue from a checkpoint with its configuration; only -o, --progress, --threads and --checkpoint-every may be given.")
    var resume: String?
    // Probe modes, position refinement and initial guesses (issue 3, items 4–6).
    @Option(name: .customLong("refine-positions"), help: "Refine the scan positions from this iteration on.")
    var refinePositions: Int?
    @Option(name: .customLong("position-step-limit"), help: "Largest position change per iteration, object pixels (default 0.5).")
    var positionStepLimit: Double?
    @Option(name: .customLong("probe-model"),
            help: "Initial probe: auto, circular, rectangular, zone_plate, gaussian or file.") var probeModel: String?
    @Option(name: .customLong("probe-width-um"), help: "Rectangular aperture width, µm.") var probeWidth: Double?
    @Option(name: .customLong("probe-height-um"), help: "Rectangular aperture height, µm.") var probeHeight: Double?
    @Option(name: .customLong("probe-defocus-um"),
            help: "Distance from the aperture plane or the zone plate's focus to the sample, µm.") var probeDefocus: Double?
    @Option(name: .customLong("probe-fwhm-um"), help: "Gaussian probe's intensity FWHM at the sample, µm.") var probeFWHM: Double?
    @Option(name: .customLong("zone-plate-diameter-um"), help: "Zone plate diameter, µm.") var zonePlateDiameter: Double?
    @Option(name: .customLong("zone-plate-outer-zone-nm"), help: "Zone plate outer-zone width, nm.")
    var zonePlateOuterZoneWidth: Double?
    @Option(name: .customLong("zone-plate-central-stop-um"), help: "Zone plate central-stop diameter, µm.")
    var zonePlateCentralStop: Double?
    @Option(help: "Start from the object (mode 0) of a previous result file of the same scan.") var object: String?
    // rPIE / mPIE / RAAR / background
    @Option(name: .customLong("rpie-object-alpha"), help: "rPIE/mPIE object regularisation α_O in (0, 1].")
    var rpieObjectAlpha: Float?
    @Option(name: .customLong("raar-beta"), help: "RAAR relaxation β in (0, 1].") var raarBeta: Float?
    @Flag(help: "Refine an incoherent background per detector pixel (stored in the result).") var background = false
    // maximum likelihood
    @Option(name: .customLong("ml-noise-model"), help: "ML noise model: poisson (default) or gaussian.")
    var mlNoiseModel: String?
    @Option(name: .customLong("ml-object-regularisation"),
            help: "ML smoothness prior on the object, relative to the mean photon count per object pixel (0 = none).")
    var mlObjectRegularisation: Double?

    func run() throws {
        try reportingFailures {
            if let resume {
                try ResumeCommandLine(command: self).runner(checkpoint: resume).run()
                return
            }
            let configuration = try resolvedConfiguration()
            let runner = try ReconstructionRunner(configuration: configuration,
                                                  command: CommandLine.arguments.joined(separator: " "))
            try runner.run()
        }
    }

    /// The configuration file's document with every given flag applied on top.
    func resolvedConfiguration() throws -> ReconstructionConfiguration {
        var configuration = ReconstructionConfiguration()
        if let path = config {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure(message: "\(path): cannot read the configuration file", status: ExitStatus.usage)
            }
            do { configuration = try ReconstructionConfiguration.decode(json: data) } catch {
                throw CommandFailure(message: "\(path): \(error)", status: ExitStatus.usage)
            }
        }
        try applyFlags(to: &configuration)
        guard configuration.input != nil else {
            throw CommandFailure(message: "reconstruct: no input file (give INPUT or \"input\" in --config)",
                                 status: ExitStatus.usage)
        }
        if configuration.output == nil {
            configuration.output = OutputPaths.sibling(of: configuration.input!, suffix: "_result.h5")
        }
        return configuration
    }

    /// Sets every option given as a flag (flags win over the configuration file).
    func applyFlags(to configuration: inout ReconstructionConfiguration) throws {
        if let input { configuration.input = input }
        if let output { configuration.output = output }
        if let engine { configuration.engine = engine }
        if let probeModes { configuration.probeModes = probeModes }
        if let threads { configuration.threads = threads }
        if let seed { configuration.seed = seed }
        if let translation {
            guard let convention = TranslationConvention(rawValue: translation.lowercased()) else {
                throw CommandFailure(message: "--translation must be sample or probe", status: ExitStatus.usage)
            }
            configuration.translation = convention
        }
        if let invalidValues {
            guard let policy = InvalidValuePolicy(named: invalidValues) else {
                throw CommandFailure(message: "--invalid-values must be \(InvalidValuePolicy.choices)", status: ExitStatus.usage)
            }
            configuration.invalidValues = policy
        }
        configuration.override(with: geometry.options)
        if let probe { configuration.probe = probe }
        if let probeDiameter { configuration.probeDiameter = probeDiameter * 1e-6 }
        if let probeUpdateStart { configuration.probeUpdateStart = probeUpdateStart }
        if let progress { configuration.progress = progress }
        if let maxMemory {
            guard let bytes = Self.parseBytes(maxMemory) else {
                throw CommandFailure(message: "--max-memory '\(maxMemory)' is not a size such as 8G, 512M or 1000000",
                                     status: ExitStatus.usage)
            }
            configuration.maxMemory = bytes
        }
        if let device { configuration.device = device }
        // checkpoints
        if let checkpointEvery { configuration.checkpointEvery = checkpointEvery }
        if let fftPlanning { configuration.fftPlanning = fftPlanning }
        // Probe modes, position refinement and initial guesses (issue 3, items 4–6).
        if let refinePositions { configuration.refinePositionsStart = refinePositions }
        if let positionStepLimit { configuration.positionStepLimit = positionStepLimit }
        if let probeModel { configuration.probeModel = probeModel }
        if let probeWidth { configuration.probeWidth = probeWidth * 1e-6 }
        if let probeHeight { configuration.probeHeight = probeHeight * 1e-6 }
        if let probeDefocus { configuration.probeDefocus = probeDefocus * 1e-6 }
        if let probeFWHM { configuration.probeFWHM = probeFWHM * 1e-6 }
        if let zonePlateDiameter { configuration.zonePlateDiameter = zonePlateDiameter * 1e-6 }
        if let zonePlateOuterZoneWidth { configuration.zonePlateOuterZoneWidth = zonePlateOuterZoneWidth * 1e-9 }
        if let zonePlateCentralStop { configuration.zonePlateCentralStop = zonePlateCentralStop * 1e-6 }
        if let object { configuration.objectInit = object }
        // rPIE / mPIE / RAAR / background
        if let rpieObjectAlpha { configuration.rpieObjectAlpha = rpieObjectAlpha }
        if let raarBeta { configuration.raarBeta = raarBeta }
        if background { configuration.background = true }
        // maximum likelihood
        if let mlNoiseModel {
            guard let model = LikelihoodNoiseModel(rawValue: mlNoiseModel.lowercased()) else {
                throw CommandFailure(message: "--ml-noise-model must be poisson or gaussian", status: ExitStatus.usage)
            }
            configuration.mlNoiseModel = model
        }
        if let mlObjectRegularisation { configuration.mlObjectRegularisation = mlObjectRegularisation }
    }

    /// `8G`, `512M`, `64K` (binary units) or a plain byte count.
    static func parseBytes(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = trimmed
        if digits.hasSuffix("B") || digits.hasSuffix("IB") { digits = String(digits.dropLast(digits.hasSuffix("IB") ? 2 : 1)) }
        var scale: Int64 = 1
        if let last = digits.last, let unit = units[last] { scale = unit; digits.removeLast() }
        guard let value = Double(digits), value > 0 else { return nil }
        return Int64(value * Double(scale))
    }
}
