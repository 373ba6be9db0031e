import Foundation
import PtychoCore
import PtychoIO
import PtychoOpenCL

/// `ptychite reconstruct` from a resolved configuration: read, check memory, build the initial model
/// (or take it from a checkpoint), run the engine plan with progress and checkpoints, write the result
/// atomically and its previews.
struct ReconstructionRunner {
    let configuration: ReconstructionConfiguration
    let plan: EnginePlan
    let command: String
    let threads: Int
    /// The checkpoint this run continues, if any.
    let resuming: CheckpointContents?

    init(configuration: ReconstructionConfiguration, command: String, resuming: CheckpointContents? = nil,
         threads resumedThreads: Int? = nil) throws {
        do { plan = try configuration.validated() } catch {
            throw CommandFailure(message: "\(error)", status: ExitStatus.usage)
        }
        self.configuration = configuration
        self.command = command
        self.resuming = resuming
        threads = resumedThreads
            ?? (configuration.threads > 0 ? configuration.threads : ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Where this run's checkpoints go: `<output stem>.checkpoint.h5` beside the result.
    static func checkpointPath(forOutput output: String) -> String {
        OutputPaths.sibling(of: output, suffix: ".checkpoint.h5")
    }

    func run() throws {
        let inputPath = configuration.input!, outputPath = configuration.output!
        if URL(fileURLWithPath: inputPath).standardizedFileURL.resolvingSymlinksInPath()
            == URL(fileURLWithPath: outputPath).standardizedFileURL.resolvingSymlinksInPath() {
            throw CommandFailure(message: "\(outputPath): the result would replace the input file; choose another -o",
                                 status: ExitStatus.usage)
        }
        // Signals are caught from the start: before the first iteration there is nothing to save, so a stop
        // request ends the run cleanly at the next checkpoint below instead of killing it mid-write.
        let interrupt = InterruptFlag()
        interrupt.install()
        // The device first: a named device that cannot run the plan is a usage error before any work.
        let modes = resuming?.result.probe.shape[0] ?? configuration.probeModes
        let openCLDevice = try ComputeDeviceChoice.openCLDevice(for: configuration, plan: plan, modes: modes)
        let convention = configuration.translation ?? .sample
        // The memory check runs on the header, before the frames are allocated or read.
        let readerOptions = DatasetReaderOptions(translationConvention: convention,
                                                 geometry: configuration.geometryOptions,
                                                 invalidValues: configuration.invalidValues)
        let (layout, reader) = try InputReading.reader(for: inputPath, options: readerOptions)
        var decision = MemoryDecision(device: openCLDevice, keepsExitWaveGradients: true)
        let loaded = try InputReading.asUsageErrors { try reader.read(path: inputPath) { header in
            let placement = ObjectPlacement(positions: header.positions, pixelSize: header.geometry.objectPixelSize,
                                            frameHeight: header.frameHeight, frameWidth: header.frameWidth)
            decision = try checkMemory(RunSizes(frameCount: header.frameCount, frameHeight: header.frameHeight,
                                                frameWidth: header.frameWidth, modes: modes, placement: placement),
                                       device: openCLDevice)
            try checkOutputIsWritable(outputPath)
        } }
        try interrupt.stopIfRequested(during: "reading the data")
        for warning in loaded.warnings { printNote("ptychite: warning: \(warning)") }
        let dataset = loaded.dataset
        let pixelSize = dataset.geometry.objectPixelSize
        let placement = ObjectPlacement(positions: dataset.positions, pixelSize: pixelSize,
                                        frameHeight: dataset.frameHeight, frameWidth: dataset.frameWidth)

        let initialPositions = dataset.positions
        let model: ReconstructionModel
        if let resuming {
            model = try ResumedModel.make(from: resuming, dataset: dataset, placement: placement)
            // The interrupted run's FFT plans, so that the resumed iterations round exactly as it would have.
            if !FFTWisdom.importing(resuming.fftWisdom) {
                printNote("ptychite: warning: the checkpoint's FFT plans could not be reused; the result may differ by rounding")
            }
        } else {
            let object = try initialObject(for: placement)   // first: a wrong file fails before the probe trial
            let probe = try initialProbe(for: dataset)
            try interrupt.stopIfRequested(during: "choosing the initial probe")
            model = ReconstructionModel(object: object, probe: probe, placement: placement, positions: initialPositions)
        }
        let geometry = dataset.geometry
        let data = MeasuredData(consuming: dataset, threads: threads)
        // The engines are specialised for the backend's concrete type, so the run is generic over it.
        func proceed<Backend: ReconstructionBackend>(_ reconstruction: Reconstruction<Backend>, device: String,
                                                     sequentialPlanThreaded: @escaping () -> Bool) throws {
            func result(_ history: [IterationRecord]) -> ReconstructionResult {
                var result = ReconstructionResult(
                    object: model.object, objectPixelSize: pixelSize, illumination: model.illumination(),
                    probe: model.probe, modePower: model.modePowerFractions(), initialPositions: initialPositions,
                    refinedPositions: model.positions, history: history, configurationJSON: configuration.encodedJSON(),
                    provenance: Provenance(version: Ptychite.version, command: command,
                                           date: ISO8601DateFormatter().string(from: Date()), device: device),
                    geometry: geometry, translationConvention: convention)
                result.background = reconstruction.backend.background?.detectorLayout()
                return result
            }

            let checkpointPath = Self.checkpointPath(forOutput: outputPath)
            let absoluteInput = URL(fileURLWithPath: inputPath).standardizedFileURL.path
            let checkpoints = configuration.checkpointEvery.map { interval in
                CheckpointPolicy(every: interval) { checkpoint in
                    let contents = CheckpointContents(
                        result: result(checkpoint.history), checkpoint: checkpoint, inputPath: absoluteInput,
                        fftWisdom: FFTWisdom.exported(), threads: threads,
                        sequentialPlanThreaded: sequentialPlanThreaded())
                    do { try CheckpointWriter().write(contents, to: checkpointPath) } catch {
                        // A failed checkpoint costs only the ability to resume from here; the run goes on.
                        printNote("ptychite: warning: checkpoint not written: \(error)")
                    }
                }
            }

            var reporter = ProgressReporter(style: ProgressStyle(rawValue: configuration.progress) ?? .auto)
            let start = resuming.map { "resuming at iteration \($0.checkpoint.history.count + 1) of \(plan.totalIterations), " } ?? ""
            printNote("Reconstructing \(inputPath) (\(layout.rawValue)): \(data.frameCount) frames of \(data.frameHeight)×\(data.frameWidth), "
                      + "object \(placement.objectHeight)×\(placement.objectWidth) at \(String(format: "%.2f", pixelSize.x * 1e9)) nm, "
                      + "\(model.modes) probe mode(s), plan \(plan), \(start)on \(device)")
            let report: (IterationRecord, Int) -> Bool = { record, total in
                reporter.report(record, of: total)
                return interrupt.received == 0
            }
            let history: [IterationRecord]
            if let resuming {
                do {
                    history = try reconstruction.resume(plan: plan, from: resuming.checkpoint, checkpoints: checkpoints,
                                                        report: report)
                } catch {
                    throw CommandFailure(message: "\(resuming.inputPath): cannot resume: \(error)", status: ExitStatus.inputOutput)
                }
            } else {
                history = reconstruction.run(plan: plan, checkpoints: checkpoints, report: report)
            }
            if interrupt.received != 0 { reporter.finish() }

            try ResultWriter().write(result(history), to: outputPath)
            let previews = try PreviewWriter.writePreviews(for: result(history), resultPath: outputPath)
            if let last = history.last {
                printNote(String(format: "Done: %d iterations in %.2f s, Fourier error %.4e, Poisson NLL %.5g",
                                 last.iteration, last.seconds, last.fourierError, last.poissonNLL))
            }
            printNote("Result:   \(outputPath)")
            printNote("Previews: \(previews.joined(separator: " "))")
            if interrupt.received != 0 {
                printNote("ptychite: interrupted after \(history.count) of \(plan.totalIterations) iterations; the result holds the last iterate"
                          + (checkpoints != nil ? "; continue with: ptychite reconstruct --resume \(checkpointPath) -o \(outputPath)" : ""))
                throw CommandFailure(message: "interrupted by signal \(interrupt.received)", status: 128 + interrupt.received)
            }
            // The plan is complete: the result supersedes the checkpoint (which may hold gigabytes of exit waves).
            if checkpoints != nil {
                unlink(checkpointPath)
                AtomicHDF5Write.removeStaleTemporaries(for: checkpointPath)
            }
        }
        if let device = decision.device, let openCL = try ComputeDeviceChoice.openCLBackend(
            on: device, for: configuration, plan: plan, model: model, data: data) {
            try proceed(Reconstruction(model: model, data: data, configuration: configuration, backend: openCL.backend),
                        device: openCL.description, sequentialPlanThreaded: { false })
        } else {
            if decision.device != nil {
                // `auto` fell back after the device's memory check passed (its kernels did not build, say):
                // the host must now hold the CPU's arrays.
                decision = try checkMemory(RunSizes(frameCount: data.frameCount, frameHeight: data.frameHeight,
                                                    frameWidth: data.frameWidth, modes: modes, placement: placement),
                                           device: nil)
            }
            let reconstruction = Reconstruction(model: model, data: data, configuration: configuration, threads: threads,
                                                planningEffort: configuration.planningEffort ?? .measure,
                                                sequentialPlanThreaded: resuming?.sequentialPlanThreaded)
            reconstruction.backend.keepsExitWaveGradients = decision.keepsExitWaveGradients
            try proceed(reconstruction, device: "cpu (\(threads) threads, FFTW)",
                        sequentialPlanThreaded: { reconstruction.backend.sequentialPlanIsThreaded })
        }
    }

    /// Fails now rather than after every iteration has run: the result is written through a temporary
    /// file beside it, so creating (and removing) exactly that file proves the write can happen.
    private func checkOutputIsWritable(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandFailure(message: "\(path): the result path is a directory", status: ExitStatus.inputOutput)
        }
        let temporary = AtomicHDF5Write.temporaryPath(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw CommandFailure(message: "\(path): cannot create a file in its directory (\(String(cString: strerror(errno))))",
                                 status: ExitStatus.inputOutput)
        }
        close(descriptor)
        unlink(temporary)
    }

    private func initialProbe(for dataset: DiffractionDataset) throws -> ComplexArray {
        // Parametric probe models (issue 3, item 6); `auto` and `file` continue below.
        let parametric: ComplexArray?
        do { parametric = try InitialProbe.parametric(configuration, for: dataset) } catch {
            throw CommandFailure(message: "\(error)", status: ExitStatus.usage)
        }
        if let probe = parametric {
            printNote("Initial probe: \(configuration.effectiveProbeModel.rawValue) model")
            return probe
        }
        if let path = configuration.probe {
            let previous = try ResultReader().readProbe(path: path)
            let shape = Array(previous.shape.suffix(2))
            guard shape == [dataset.frameHeight, dataset.frameWidth] else {
                throw CommandFailure(message: "\(path): /entry_1/probe/data: probe frames are \(shape[0])×\(shape[1]) "
                                     + "but the data frames are \(dataset.frameHeight)×\(dataset.frameWidth)",
                                     status: ExitStatus.inputOutput)
            }
            return InitialProbe.withModes(previous, modes: configuration.probeModes,
                                          modePower: configuration.modePower, seed: configuration.seed)
        }
        let diameter: Double
        var radius: Double?
        if let given = configuration.probeDiameter {
            diameter = given
        } else {
            let choice = InitialProbe.chooseBeamDiameter(for: dataset, threads: threads, seed: configuration.seed)
            diameter = choice.diameter
            radius = choice.apertureRadius
            let trials = choice.trials.map { String(format: "%.2f µm: %.3e", $0.diameter * 1e6, $0.error) }
            printNote("Initial probe: beam diameter \(String(format: "%.2f", diameter * 1e6)) µm chosen by trial "
                      + "(Fourier error after a few ePIE iterations — \(trials.joined(separator: ", ")))")
        }
        return InitialProbe.aperture(for: dataset, beamDiameter: diameter, modes: configuration.probeModes,
                                     modePower: configuration.modePower, seed: configuration.seed,
                                     apertureRadius: radius)
    }
}
