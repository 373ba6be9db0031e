import PtychoCore

/// The per-frame operators on the device, for one contiguous batch of frames at a time (the OpenCL
/// backend's sweeps hand out batches `first ..< first + count`). Each call enqueues its kernels on the
/// backend's in-order queue and returns at once.
public final class OpenCLFrameOperators: FrameOperators, @unchecked Sendable {
    unowned let backend: OpenCLBackend
    let shape: FrameShape
    let context: OpenCLContext
    let kernels: OpenCLKernels
    /// Work-group size of the element-wise kernels; reductions use it too.
    let groupSize = 256

    init(backend: OpenCLBackend) {
        self.backend = backend
        shape = backend.shape
        context = backend.context
        kernels = backend.kernels
        geometry = [.int(Int32(shape.modes)), .int(Int32(shape.height)), .int(Int32(shape.width)),
                    .int(Int32(backend.model.placement.objectWidth))]
    }

    func range(_ batch: FrameBatch) -> (first: Int32, count: Int32) {
        let indices = batch.indices
        precondition(indices.last! - indices.first! + 1 == indices.count, "OpenCL batches are contiguous")
        return (Int32(indices.first!), Int32(indices.count))
    }

    /// Modes, frame height and width, object width: the arguments most kernels share, made once (the
    /// object's size does not change during a reconstruction; position refinement moves only the patches).
    let geometry: [KernelArgument]

    public func combineExitWaves(_ batch: FrameBatch, weight c: Float, fromStoredExitWaves: Bool) {
        backend.exitWaveGradientsInScratch = false
        let (first, count) = range(batch)
        let stored = fromStoredExitWaves ? backend.exitWaveBuffer! : backend.scratch
        backend.attempt {
            try kernels.combineExitWaves.launch(on: context, global: Int(count) * shape.modes * shape.pixels,
                                                local: groupSize, [
                .buffer(backend.scratch), .buffer(stored), .buffer(backend.probeBuffer), .buffer(backend.objectBuffer),
                .buffer(backend.rows), .buffer(backend.columns), .int(first), .int(count)], geometry,
                [.float(c), .int(fromStoredExitWaves ? 1 : 0)])
        }
    }

    func plan(_ batch: FrameBatch) -> OpenCLFFTPlan { backend.fftPlans[batch.indices.count]! }

    public func propagateForward(_ batch: FrameBatch) {
        backend.attempt { try plan(batch).execute(backend.scratch, inverse: false) }
    }

    public func propagateBackward(_ batch: FrameBatch) {
        backend.attempt { try plan(batch).execute(backend.scratch, inverse: true) }
    }

    public func projectModulus(_ batch: FrameBatch, relaxation: Float) {
        let (first, count) = range(batch)
        let modes = Int32(shape.modes), n = Int32(shape.pixels)
        backend.attempt {
            try accumulateModulusMetrics(first: first, count: count, background: backend.backgroundBuffer)
            if backend.background != nil { try accumulateBackgroundRatios(first: first, count: count) }
            try kernels.modulusApply.launch(on: context, global: Int(count) * shape.pixels, local: groupSize, [
                .buffer(backend.scratch), .buffer(backend.amplitudes), .buffer(backend.mask),
                .buffer(backend.backgroundBuffer), .buffer(backend.residual),
                .buffer(backend.noise), .float(relaxation), .int(first), .int(count), .int(modes), .int(n)])
        }
    }

    /// Each frame's Σ m(√Î − √I)² and Σ m(Î − I·ln Î) from the far fields in scratch, into the per-frame
    /// metric terms (`modulus_metrics`, then `sum_partials` per frame), with Î = Σ_k|X_k|²/n + `background`.
    func accumulateModulusMetrics(first: Int32, count: Int32, background: OpenCLBuffer) throws {
        backend.sweepProducedModulusMetrics = true
        try sumPerFrame(kernels.modulusMetrics, first: first, count: count,
                        into: [(backend.partialResidual, backend.residual), (backend.partialLikelihood, backend.likelihood)],
                        [.buffer(backend.scratch), .buffer(backend.amplitudes), .buffer(backend.mask), .buffer(background),
                         .buffer(backend.partialResidual), .buffer(backend.partialLikelihood), .int(first),
                         .int(Int32(shape.modes)), .int(Int32(shape.pixels)), .int(Int32(backend.metricGroupsPerFrame)),
                         .local(4 * groupSize)])
    }

    /// Runs a per-frame partial-sum kernel (`metricGroupsPerFrame` work-groups per frame, `arguments` given
    /// in full) and adds each pair's partials up per frame into its `[N]` total.
    func sumPerFrame(_ kernel: OpenCLKernel, first: Int32, count: Int32,
                     into pairs: [(partials: OpenCLBuffer, total: OpenCLBuffer)], _ arguments: [KernelArgument]) throws {
        let perFrame = backend.metricGroupsPerFrame
        try kernel.launch(on: context, global: Int(count) * perFrame * groupSize, local: groupSize, arguments)
        for (partials, total) in pairs {
            try kernels.sumPartials.launch(on: context, global: Int(count) * groupSize, local: groupSize, [
                .buffer(partials), .buffer(total), .int(first), .int(Int32(perFrame)), .local(4 * groupSize)])
        }
    }

    public func updateExitWaves(_ batch: FrameBatch, a: Float, b: Float) {
        let (first, count) = range(batch)
        let groupsPerMode = (shape.pixels + groupSize - 1) / groupSize
        backend.sweepProducedDistances = true
        backend.attempt {
            try kernels.updateExitWaves.launch(on: context, global: Int(count) * shape.modes * groupsPerMode * groupSize,
                                               local: groupSize, [
                .buffer(backend.exitWaveBuffer!), .buffer(backend.scratch), .buffer(backend.probeBuffer),
                .buffer(backend.objectBuffer), .buffer(backend.rows), .buffer(backend.columns),
                .buffer(backend.partialDistances), .int(first)], geometry,
                [.float(a), .float(b), .local(4 * groupSize)])
            try kernels.sumPartials.launch(on: context, global: Int(count) * groupSize, local: groupSize, [
                .buffer(backend.partialDistances), .buffer(backend.distance), .int(first),
                .int(Int32(shape.modes * groupsPerMode)), .local(4 * groupSize)])
            try accumulateObjectSums(from: backend.exitWaveBuffer!, waveFirst: 0, first: first, count: count)
        }
    }

    /// The object's overlap sums Σ_k P_k*·w_jk and Σ_k|P_k|² over frames `first ..< first + count`, frame j's
    /// waves at index j − `waveFirst` of `waves` (`accumulate_object_sums`).
    func accumulateObjectSums(from waves: OpenCLBuffer, waveFirst: Int32, first: Int32, count: Int32) throws {
        let tiles = backend.objectTiles!
        try kernels.accumulateObjectSums.launch(on: context, global: tiles.count * 256, local: 256, [
            .buffer(waves), .buffer(backend.probeBuffer), .buffer(backend.rows),
            .buffer(backend.columns), .buffer(tiles.offsets), .buffer(tiles.frames),
            .buffer(backend.objectNumerator), .buffer(backend.objectDenominator), .int(first), .int(count),
            .int(waveFirst)], geometry,
            [.int(Int32(backend.model.placement.objectHeight)), .int(Int32(tiles.across))])
    }

    /// The probe's overlap sums Σ_j O_j*·w_jk and Σ_j|O_j|², waves indexed as in `accumulateObjectSums`.
    func accumulateProbeSums(from waves: OpenCLBuffer, waveFirst: Int32, first: Int32, count: Int32) throws {
        try kernels.accumulateProbeSums.launch(on: context, global: shape.modes * shape.pixels, local: groupSize, [
            .buffer(waves), .buffer(backend.objectBuffer), .buffer(backend.rows),
            .buffer(backend.columns), .buffer(backend.probeNumerator), .buffer(backend.probeDenominator),
            .int(first), .int(count), .int(waveFirst)], geometry)
    }

    public func accumulateProbeSums(_ batch: FrameBatch) {
        let (first, count) = range(batch)
        backend.attempt { try accumulateProbeSums(from: backend.exitWaveBuffer!, waveFirst: 0, first: first, count: count) }
    }

    /// The PIE family's update for one frame (sequential sweeps): its patch's max |O|², the update, and the
    /// updated probe's max Σ|P|² for the next frame, all on the device.
    public func pieUpdate(_ batch: FrameBatch, alpha: Float, beta: Float, objectRegularisation: Float,
                          probeRegularisation: Float, updateProbe: Bool) {
        let (j, count) = range(batch)
        precondition(count == 1, "the PIE update takes one frame at a time")
        let beta = updateProbe ? beta : 0
        backend.attempt {
            if beta != 0 { try backend.updatePowerMaxima(frame: j) }
            try kernels.pieUpdate.launch(on: context, global: shape.pixels, local: groupSize, [
                .buffer(backend.scratch), .buffer(backend.probeBuffer), .buffer(backend.objectBuffer),
                .buffer(backend.rows), .buffer(backend.columns), .buffer(backend.pieMaxima), .int(j)], geometry,
                [.float(alpha), .float(beta), .float(objectRegularisation), .float(probeRegularisation)])
            if beta != 0 { try backend.updatePowerMaxima(frame: nil) }
        }
    }
}
