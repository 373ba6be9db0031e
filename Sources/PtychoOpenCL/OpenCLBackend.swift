import Foundation
import PtychoCore

/// The OpenCL backend: the object, probe, measured data, stored exit waves and overlap sums live on one
/// OpenCL device for the whole reconstruction; sweeps enqueue kernels and VkFFT transforms over batches
/// of frames, and only per-frame metric scalars come back each sweep (the probe for the mode powers
/// each iteration, the object at checkpoints and at the end).
///
/// It implements the operators of the projection engines (DM, RAAR, AP) with mixed-state modes, the
/// detector mask, the power-bound relaxation and probe-mode orthogonalisation, the sequential sweeps
/// of ePIE, rPIE and mPIE (every step of every frame on the device; mPIE's momentum step through the
/// host), and maximum likelihood (gradients, conjugate-gradient steps and line-search sums on the device,
/// `OpenCLBackend+Likelihood`). `unsupportedFeatures` names what it does not implement yet; callers check
/// it before choosing this backend.
public final class OpenCLBackend: ReconstructionBackend, @unchecked Sendable {
    public let model: ReconstructionModel
    public let data: MeasuredData
    public let context: OpenCLContext
    let shape: FrameShape
    /// Frames per batch: the scratch holds `batchSize` frames' modes; the last batch may be shorter.
    public let batchSize: Int
    let kernels: OpenCLKernels
    let objectBuffer: OpenCLBuffer
    let probeBuffer: OpenCLBuffer
    let rows: OpenCLBuffer
    let columns: OpenCLBuffer
    let amplitudes: OpenCLBuffer
    let mask: OpenCLBuffer
    let noise: OpenCLBuffer
    let scratch: OpenCLBuffer
    /// VkFFT plans by frames per call: the full batch, the last (shorter) batch, and one frame (PIE family).
    let fftPlans: [Int: OpenCLFFTPlan]
    /// `[128]`: 64 partial maxima of Σ_k|P_k|², then 64 of the current frame's |O|², for the PIE update.
    let pieMaxima: OpenCLBuffer
    /// `[N]` per-frame metric terms of the current sweep.
    let residual: OpenCLBuffer
    let likelihood: OpenCLBuffer
    let distance: OpenCLBuffer
    /// `[B, K, ⌈n/256⌉]` per-work-group partial sums of the exit-wave update's distance.
    let partialDistances: OpenCLBuffer
    /// `[3, N]` host copy of the per-frame metric terms, allocated once (read back after every sweep).
    let metricValues: RealArray
    /// Work-groups per frame of the modulus metrics (256 items, 16 pixels each), and their partial sums.
    let metricGroupsPerFrame: Int
    let partialResidual: OpenCLBuffer
    let partialLikelihood: OpenCLBuffer
    let objectNumerator: OpenCLBuffer
    let objectDenominator: OpenCLBuffer
    let probeNumerator: OpenCLBuffer
    let probeDenominator: OpenCLBuffer
    let maximum: OpenCLBuffer
    let basis: OpenCLBuffer
    /// Which frames meet each 16×16 tile of the object (for the object sums' gather).
    private(set) var objectTiles: ObjectTiles!
    let orthogonaliser: ProbeModeOrthogonaliser
    /// The conjugate-gradient arrays while a maximum-likelihood stage runs.
    var likelihoodBuffers: OpenCLLikelihoodBuffers?
    /// Whether the batch scratch holds the exit-wave gradients g_ψ of every frame (ML's gradient sweep ran
    /// in one batch with the probe; nothing has written the scratch since): the line search then gets its
    /// second-order term from them in real space instead of transforming ΔP·ΔO (see
    /// `LikelihoodKernels.combineSearchWaves`). Cleared by every pipeline's first step; the line search
    /// runs in the same single batch and writes only its own buffers, so it holds throughout that sweep.
    var exitWaveGradientsInScratch = false
    /// `[N, K, n]` on the device while a projection stage runs.
    var exitWaveBuffer: OpenCLBuffer?
    /// Host copy of the exit waves, made only when a checkpoint asks for them.
    var exitWaveMirror: ComplexArray?
    /// The frame indices 0..<N, handed out in contiguous batches.
    let frameIndices: UnsafeMutableBufferPointer<Int>
    private(set) var operators: OpenCLFrameOperators!
    /// `[n]` the incoherent background B on the device (zeros while the model has none).
    let backgroundBuffer: OpenCLBuffer
    /// `[n]` Σ m·I/Î since B's last refinement, and how many frame projections added to it.
    let backgroundRatioSums: OpenCLBuffer
    var backgroundFrames = 0
    public private(set) var background: IncoherentBackground?
    func setBackground(_ value: IncoherentBackground) { background = value }
    /// The `revision` of B that `backgroundBuffer` holds.
    var uploadedBackgroundRevision: Int?

    func uploadBackground(_ background: IncoherentBackground) {
        attempt { try backgroundBuffer.upload(background.values.pointer, count: background.values.count) }
        uploadedBackgroundRevision = background.revision
    }
    /// Host copy of the ratio sums for B's refinement.
    let backgroundRatioHost: RealArray
    /// `[N, 2]` each frame's estimated shift (rows, columns) of the sweep, on the device and its host copy.
    let positionShifts: OpenCLBuffer
    let hostPositionShifts: RealArray
    /// `[B·metricGroupsPerFrame, 5]` per-work-group partial sums of the shift estimate.
    let positionPartials: OpenCLBuffer
    /// Host staging of the patch rows and columns for their upload.
    private var placementStaging: [Int32]
    /// Which metrics the operators of the running sweep produced.
    var sweepProducedModulusMetrics = false
    var sweepProducedDistances = false

    public var frameCount: Int { data.frameCount }
    public var objectPixelCount: Int { model.object.count }

    /// What of `configuration` and `plan` this backend cannot run, or nil when it runs all of it.
    public static func unsupportedFeatures(of configuration: ReconstructionConfiguration, plan: EnginePlan,
                                           modes: Int) -> String? {
        if modes > 16 { return "the OpenCL backend handles at most 16 probe modes" }
        return nil
    }

    /// Device memory the reconstruction needs with exit waves stored (or, with `likelihood`, the larger of
    /// that and a maximum-likelihood stage's arrays), bytes.
    public static func memoryNeeded(frames: Int, shape: FrameShape, objectPixels: Int, batchSize: Int,
                                    likelihood: Bool = false) -> Int {
        let frame = shape.modes * shape.pixels * 8
        let stage = max(frames * frame, likelihood ? OpenCLLikelihoodBuffers.bytes(
            frames: frames, batchSize: batchSize, shape: shape, objectPixels: objectPixels) : 0)
        return stage                               // exit waves, or ML's far fields and search waves
            + batchSize * frame                    // batch scratch
            + frames * shape.pixels * 4            // amplitudes
            + objectPixels * 8 * 2 + objectPixels * 4     // object, its numerator and denominator
            + frame * 3 + shape.pixels * 8 + frames * 20  // probe, its sums, mask, positions, metrics
    }

    /// What a reconstruction of these sizes needs on `device`: the batch size it would use there, the device
    /// memory (`memoryNeeded`), and why it does not fit (in all, or the exit waves in one allocation), if it
    /// does not. Needs only the sizes, so a caller can ask before reading the frames.
    public struct MemoryPlan {
        public let batchSize: Int
        public let needed: Int
        /// `OpenCLError.memory` naming the limit exceeded; nil when the run fits.
        public let problem: OpenCLError?

        init(device: OpenCLDevice, frames: Int, shape: FrameShape, objectPixels: Int, batchSize requested: Int?,
             likelihood: Bool) {
            let frameBytes = shape.modes * shape.pixels * 8
            // Scratch for up to 1 GiB (an eighth of the device) of frames: big batches keep the device busy
            // and the FFT plans few.
            let budget = min(1 << 30, device.globalMemory / 8, device.maximumAllocation)
            batchSize = max(1, min(frames, requested ?? max(1, budget / frameBytes)))
            needed = memoryNeeded(frames: frames, shape: shape, objectPixels: objectPixels, batchSize: batchSize,
                                  likelihood: likelihood)
            if needed > device.globalMemory {
                problem = .memory(device: device.name, needed: needed, available: device.globalMemory)
            } else if frames * frameBytes > device.maximumAllocation {
                problem = .memory(device: device.name + " (largest single allocation)", needed: frames * frameBytes,
                                  available: device.maximumAllocation)
            } else {
                problem = nil
            }
        }
    }

    public static func memoryPlan(on device: OpenCLDevice, frames: Int, shape: FrameShape, objectPixels: Int,
                                  batchSize requested: Int? = nil, likelihood: Bool) -> MemoryPlan {
        MemoryPlan(device: device, frames: frames, shape: shape, objectPixels: objectPixels, batchSize: requested,
                   likelihood: likelihood)
    }

    /// Throws `MemoryPlan.problem` if the run does not fit `device`; returns the batch size it would use.
    public static func checkMemory(on device: OpenCLDevice, frames: Int, shape: FrameShape, objectPixels: Int,
                                   batchSize requested: Int? = nil, likelihood: Bool) throws -> Int {
        let plan = memoryPlan(on: device, frames: frames, shape: shape, objectPixels: objectPixels,
                              batchSize: requested, likelihood: likelihood)
        if let problem = plan.problem { throw problem }
        return plan.batchSize
    }

    /// `reservingLikelihood`: the plan has a maximum-likelihood stage, whose arrays the memory check includes.
    public init(model: ReconstructionModel, data: MeasuredData, context: OpenCLContext, batchSize requested: Int? = nil,
                reservingLikelihood: Bool = false) throws {
        self.model = model
        self.data = data
        self.context = context
        shape = model.frameShape
        let n = shape.pixels, frameBytes = shape.modes * n * 8, frames = data.frameCount
        batchSize = try Self.checkMemory(on: context.device, frames: frames, shape: shape,
                                         objectPixels: model.object.count, batchSize: requested,
                                         likelihood: reservingLikelihood)
        kernels = try OpenCLKernels(context)
        objectBuffer = try OpenCLBuffer(context, copying: model.object.pointer, count: 2 * model.object.count)
        probeBuffer = try OpenCLBuffer(context, copying: model.probe.pointer, count: 2 * model.probe.count)
        rows = try OpenCLBuffer(context, bytes: 4 * frames)
        columns = try OpenCLBuffer(context, bytes: 4 * frames)
        amplitudes = try OpenCLBuffer(context, copying: data.amplitudes.pointer, count: frames * n)
        mask = try OpenCLBuffer(context, copying: data.mask.pointer, count: n)
        noise = try OpenCLBuffer(context, copying: data.noiseLevel.pointer, count: frames)
        scratch = try OpenCLBuffer(context, bytes: batchSize * frameBytes)
        var plans: [Int: OpenCLFFTPlan] = [:]
        for count in Set([batchSize, frames % batchSize, 1]) where count > 0 {
            plans[count] = try OpenCLFFTPlan(context, height: shape.height, width: shape.width, batch: count * shape.modes)
        }
        fftPlans = plans
        pieMaxima = try OpenCLBuffer(context, bytes: 4 * 128)
        residual = try OpenCLBuffer(context, bytes: 4 * frames)
        likelihood = try OpenCLBuffer(context, bytes: 4 * frames)
        distance = try OpenCLBuffer(context, bytes: 4 * frames)
        partialDistances = try OpenCLBuffer(context, bytes: 4 * batchSize * shape.modes * ((n + 255) / 256))
        metricValues = RealArray(shape: [3, frames])
        metricGroupsPerFrame = (n + 4095) / 4096
        partialResidual = try OpenCLBuffer(context, bytes: 4 * batchSize * metricGroupsPerFrame)
        partialLikelihood = try OpenCLBuffer(context, bytes: 4 * batchSize * metricGroupsPerFrame)
        backgroundBuffer = try OpenCLBuffer(context, bytes: 4 * n)
        backgroundRatioSums = try OpenCLBuffer(context, bytes: 4 * n)
        backgroundRatioHost = RealArray(shape: [shape.height, shape.width])
        positionShifts = try OpenCLBuffer(context, bytes: 8 * frames)
        hostPositionShifts = RealArray(shape: [frames, 2])
        positionPartials = try OpenCLBuffer(context, bytes: 4 * 5 * batchSize * metricGroupsPerFrame)
        placementStaging = [Int32](repeating: 0, count: frames)
        objectNumerator = try OpenCLBuffer(context, bytes: 8 * model.object.count)
        objectDenominator = try OpenCLBuffer(context, bytes: 4 * model.object.count)
        probeNumerator = try OpenCLBuffer(context, bytes: frameBytes)
        probeDenominator = try OpenCLBuffer(context, bytes: 4 * n)
        maximum = try OpenCLBuffer(context, bytes: 4)
        basis = try OpenCLBuffer(context, bytes: 8 * shape.modes * shape.modes)
        orthogonaliser = ProbeModeOrthogonaliser(modes: shape.modes, pixels: n)
        frameIndices = .allocate(capacity: frames)
        for j in 0..<frames { frameIndices[j] = j }
        operators = nil
        operators = OpenCLFrameOperators(backend: self)
        try uploadPlacement()
        try context.finish()
    }

    deinit { frameIndices.deallocate() }

    /// Uploads the patch corners (and the object tiles' frame lists) after the placement changed.
    func uploadPlacement() throws {
        let placement = model.placement
        if let objectTiles {
            try objectTiles.update(placement)
        } else {
            objectTiles = try ObjectTiles(context, placement: placement, frameHeight: shape.height, frameWidth: shape.width)
        }
        for (corners, buffer) in [(placement.rows, rows), (placement.columns, columns)] {
            for j in corners.indices { placementStaging[j] = Int32(corners[j]) }
            try placementStaging.withUnsafeBytes { try buffer.upload($0.baseAddress!, bytes: $0.count) }
        }
    }

    /// An OpenCL failure inside an iteration cannot be thrown through the engines' non-throwing operators:
    /// it ends the process with the one-line message and the I/O-failure exit status (no half-written
    /// output: results are written only after the run).
    func failed(_ error: Error) -> Never {
        FileHandle.standardError.write(Data("ptychite: error: \(error)\n".utf8))
        exit(4)
    }

    func attempt(_ body: () throws -> Void) {
        do { try body() } catch { failed(error) }
    }

    public func sweep(_ order: SweepOrder, _ body: (OpenCLFrameOperators, FrameBatch) -> Void) -> FourierMetrics {
        sweepProducedModulusMetrics = false
        sweepProducedDistances = false
        // B's host values are the model's (a resumed run restores them there): the device copy follows them.
        if let background, background.revision != uploadedBackgroundRevision { uploadBackground(background) }
        if case .sequential(let frames) = order {
            // One frame after another, each seeing the previous one's update (the PIE family).
            attempt {
                try pieMaxima.fill(0)   // the patch maxima: read only by updates that change the probe, after theirs
                try updatePowerMaxima(frame: nil)
            }
            frames.withUnsafeBufferPointer { all in
                for position in all.indices { body(operators, FrameBatch(UnsafeBufferPointer(rebasing: all[position...position]))) }
            }
            return collectMetrics()
        }
        var first = 0
        while first < frameCount {
            let count = min(batchSize, frameCount - first)
            body(operators, FrameBatch(UnsafeBufferPointer(rebasing: frameIndices[first..<(first + count)])))
            first += count
        }
        return collectMetrics()
    }

    /// The sweep's metrics, summed in double precision on the host from the per-frame terms.
    func collectMetrics() -> FourierMetrics {
        var metrics = FourierMetrics()
        guard sweepProducedModulusMetrics || sweepProducedDistances else { return metrics }
        let values = metricValues
        attempt {
            if sweepProducedModulusMetrics {
                try residual.download(values.slice(0), count: frameCount)
                try likelihood.download(values.slice(1), count: frameCount)
            }
            if sweepProducedDistances { try distance.download(values.slice(2), count: frameCount) }
            if !sweepProducedModulusMetrics { values.slice(0).update(repeating: 0, count: 2 * frameCount) }
            if !sweepProducedDistances { values.slice(2).update(repeating: 0, count: frameCount) }
        }
        for j in 0..<frameCount {
            metrics.amplitudeResidual += Double(values.slice(0)[j])
            metrics.likelihood += Double(values.slice(1)[j])
            metrics.projectionDistance += Double(values.slice(2)[j])
        }
        return metrics
    }

    /// The PIE update's partial maxima (`power_maximum_partials`): of the probe's Σ_k|P_k|² (frame nil),
    /// or of |O|² over frame j's patch.
    func updatePowerMaxima(frame j: Int32?) throws {
        try kernels.powerMaximumPartials.launch(on: context, global: 64 * 256, local: 256, [
            .buffer(probeBuffer), .buffer(objectBuffer), .buffer(rows), .buffer(columns), .int(j ?? 0),
            .int(Int32(shape.modes)), .int(Int32(shape.height)), .int(Int32(shape.width)),
            .int(Int32(model.placement.objectWidth)), .int(j == nil ? 1 : 0), .buffer(pieMaxima), .local(4 * 256)])
    }

    public func initialiseExitWaves() {
        attempt {
            let waves = try exitWaveBuffer ?? OpenCLBuffer(context, bytes: frameCount * shape.modes * shape.pixels * 8)
            exitWaveBuffer = waves
            try kernels.combineExitWaves.launch(on: context, global: frameCount * shape.modes * shape.pixels, local: 256, [
                .buffer(waves), .buffer(waves), .buffer(probeBuffer), .buffer(objectBuffer), .buffer(rows), .buffer(columns),
                .int(0), .int(Int32(frameCount)), .int(Int32(shape.modes)), .int(Int32(shape.height)),
                .int(Int32(shape.width)), .int(Int32(model.placement.objectWidth)), .float(1), .int(0)])
        }
    }

    public func releaseExitWaves() {
        exitWaveBuffer = nil
        exitWaveMirror = nil
    }

    public var exitWaves: ComplexArray? {
        guard let waves = exitWaveBuffer else { return nil }
        let mirror = exitWaveMirror ?? ComplexArray(shape: [frameCount, shape.modes, shape.height, shape.width])
        exitWaveMirror = mirror
        attempt { try waves.download(mirror.pointer, count: 2 * mirror.count) }
        return mirror
    }

    public var exitWavesShape: [Int]? {
        exitWaveBuffer == nil ? nil : [frameCount, shape.modes, shape.height, shape.width]
    }

    public func restoreExitWaves(from saved: ComplexArray) {
        guard let waves = exitWaveBuffer else { preconditionFailure("restoreExitWaves before initialiseExitWaves") }
        precondition(saved.shape == [frameCount, shape.modes, shape.height, shape.width], "saved exit waves do not match")
        attempt { try waves.upload(saved.pointer, count: 2 * saved.count) }
    }

    public func resetOverlapSums() {
        attempt {
            try objectNumerator.fill(0)
            try objectDenominator.fill(0)
            try probeNumerator.fill(0)
            try probeDenominator.fill(0)
        }
    }

    public func solveObject(inertia: Float) {
        solve(values: objectBuffer, numerator: objectNumerator, denominator: objectDenominator,
              count: model.object.count, repeats: 1, inertia: inertia)
    }

    public func solveProbe(inertia: Float) {
        solve(values: probeBuffer, numerator: probeNumerator, denominator: probeDenominator,
              count: shape.pixels, repeats: shape.modes, inertia: inertia)
    }

    /// `OverlapSolve.divide` on the device: the maximum of the denominator, then the division.
    func solve(values: OpenCLBuffer, numerator: OpenCLBuffer, denominator: OpenCLBuffer, count: Int, repeats: Int,
               inertia: Float) {
        attempt {
            try kernels.maximum.launch(on: context, global: 256, local: 256, [
                .buffer(denominator), .int(Int32(count)), .buffer(maximum), .local(4 * 256)])
            try kernels.overlapSolve.launch(on: context, global: count * repeats, local: 256, [
                .buffer(values), .buffer(numerator), .buffer(denominator), .buffer(maximum), .float(inertia),
                .int(Int32(count)), .int(Int32(repeats))])
        }
    }

    public func orthogonaliseProbeModes() {
        guard shape.modes > 1 else { return }
        attempt {
            try probeBuffer.download(model.probe.pointer, count: 2 * model.probe.count)
            guard orthogonaliser.orthogonalise(model.probe.pointer) else { return }
            try probeBuffer.upload(model.probe.pointer, count: 2 * model.probe.count)
            guard let waves = exitWaveBuffer else { return }
            // The same change of basis for every frame's exit waves (see `CPUBackend.orthogonaliseProbeModes`).
            try basis.upload(orthogonaliser.basis, count: 2 * shape.modes * shape.modes)
            try kernels.mixModes.launch(on: context, global: frameCount * shape.pixels, local: 256, [
                .buffer(waves), .buffer(basis), .int(Int32(shape.modes)), .int(Int32(shape.pixels)),
                .int(Int32(frameCount))])
        }
    }

    public func synchroniseModel(includingObject: Bool) {
        attempt {
            try probeBuffer.download(model.probe.pointer, count: 2 * model.probe.count)
            if includingObject { try objectBuffer.download(model.object.pointer, count: 2 * model.object.count) }
        }
    }
}
