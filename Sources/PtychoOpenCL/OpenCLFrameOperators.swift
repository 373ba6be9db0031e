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
    }

    private func range(_ batch: FrameBatch) -> (first: Int32, count: Int32) {
        let indices = batch.indices
        precondition(indices.last! - indices.first! + 1 == indices.count, "OpenCL batches are contiguous")
        return (Int32(indices.first!), Int32(indices.count))
    }

    private var geometry: [KernelArgument] {
        [.int(Int32(shape.modes)), .int(Int32(shape.height)), .int(Int32(shape.width)),
         .int(Int32(backend.model.placement.objectWidth))]
    }

    public func combineExitWaves(_ batch: FrameBatch, weight c: Float, fromStoredExitWaves: Bool) {
        let (first, count) = range(batch)
        let stored = fromStoredExitWaves ? backend.exitWaveBuffer! : backend.scratch
        backend.attempt {
            try kernels.combineExitWaves.launch(on: context, global: Int(count) * shape.modes * shape.pixels,
                                                local: groupSize, [
                .buffer(backend.scratch), .buffer(stored), .buffer(backend.probeBuffer), .buffer(backend.objectBuffer),
                .buffer(backend.rows), .buffer(backend.columns), .int(first), .int(count)] + geometry
                + [.float(c), .int(fromStoredExitWaves ? 1 : 0)])
        }
    }

    private func plan(_ batch: FrameBatch) -> OpenCLFFTPlan { backend.fftPlans[batch.indices.count]! }

    public func propagateForward(_ batch: FrameBatch) {
        backend.attempt { try plan(batch).execute(backend.scratch, inverse: false) }
    }

    public func propagateBackward(_ batch: FrameBatch) {
        backend.attempt { try plan(batch).execute(backend.scratch, inverse: true) }
    }

    public func projectModulus(_ batch: FrameBatch, relaxation: Float) {
        let (first, count) = range(batch)
        let modes = Int32(shape.modes), n = Int32(shape.pixels)
        backend.sweepProducedModulusMetrics = true
        backend.attempt {
            let perFrame = Int32(backend.metricGroupsPerFrame)
            try kernels.modulusMetrics.launch(on: context, global: Int(count) * Int(perFrame) * groupSize, local: groupSize, [
                .buffer(backend.scratch), .buffer(backend.amplitudes), .buffer(backend.mask),
                .buffer(backend.partialResidual), .buffer(backend.partialLikelihood), .int(first), .int(modes), .int(n),
                .int(perFrame), .local(4 * groupSize)])
            for (partials, total) in [(backend.partialResidual, backend.residual), (backend.partialLikelihood, backend.likelihood)] {
                try kernels.sumPartials.launch(on: context, global: Int(count) * groupSize, local: groupSize, [
                    .buffer(partials), .buffer(total), .int(first), .int(perFrame), .local(4 * groupSize)])
            }
            try kernels.modulusApply.launch(on: context, global: Int(count) * shape.pixels, local: groupSize, [
                .buffer(backend.scratch), .buffer(backend.amplitudes), .buffer(backend.mask), .buffer(backend.residual),
                .buffer(backend.noise), .float(relaxation), .int(first), .int(count), .int(modes), .int(n)])
        }
    }

    public func updateExitWaves(_ batch: FrameBatch, a: Float, b: Float) {
        let (first, count) = range(batch)
        let groupsPerMode = (shape.pixels + groupSize - 1) / groupSize
        let placement = backend.model.placement
        let tiles = backend.objectTiles!
        backend.sweepProducedDistances = true
        backend.attempt {
            try kernels.updateExitWaves.launch(on: context, global: Int(count) * shape.modes * groupsPerMode * groupSize,
                                               local: groupSize, [
                .buffer(backend.exitWaveBuffer!), .buffer(backend.scratch), .buffer(backend.probeBuffer),
                .buffer(backend.objectBuffer), .buffer(backend.rows), .buffer(backend.columns),
                .buffer(backend.partialDistances), .int(first)] + geometry + [.float(a), .float(b), .local(4 * groupSize)])
            try kernels.sumPartials.launch(on: context, global: Int(count) * groupSize, local: groupSize, [
                .buffer(backend.partialDistances), .buffer(backend.distance), .int(first),
                .int(Int32(shape.modes * groupsPerMode)), .local(4 * groupSize)])
            try kernels.accumulateObjectSums.launch(on: context, global: tiles.count * 256, local: 256, [
                .buffer(backend.exitWaveBuffer!), .buffer(backend.probeBuffer), .buffer(backend.rows),
                .buffer(backend.columns), .buffer(tiles.offsets), .buffer(tiles.frames),
                .buffer(backend.objectNumerator), .buffer(backend.objectDenominator), .int(first), .int(count)]
                + geometry + [.int(Int32(placement.objectHeight)), .int(Int32(tiles.across))])
        }
    }

    public func accumulateProbeSums(_ batch: FrameBatch) {
        let (first, count) = range(batch)
        backend.attempt {
            try kernels.accumulateProbeSums.launch(on: context, global: shape.modes * shape.pixels, local: groupSize, [
                .buffer(backend.exitWaveBuffer!), .buffer(backend.objectBuffer), .buffer(backend.rows),
                .buffer(backend.columns), .buffer(backend.probeNumerator), .buffer(backend.probeDenominator),
                .int(first), .int(count)] + geometry)
        }
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
                .buffer(backend.rows), .buffer(backend.columns), .buffer(backend.pieMaxima), .int(j)] + geometry
                + [.float(alpha), .float(beta), .float(objectRegularisation), .float(probeRegularisation)])
            if beta != 0 { try backend.updatePowerMaxima(frame: nil) }
        }
    }

    // Operators of engines this backend does not run (see `OpenCLBackend.unsupportedFeatures`).
    private func unsupported(_ what: String) -> Never {
        preconditionFailure("\(what) is not implemented on the OpenCL backend (see OpenCLBackend.unsupportedFeatures)")
    }
    public func estimatePositionShift(_ batch: FrameBatch, fromStoredExitWaves: Bool) { unsupported("position refinement") }
    public func weightLikelihoodGradient(_ batch: FrameBatch, noise: LikelihoodNoiseModel) { unsupported("maximum likelihood") }
    public func accumulateLikelihoodGradient(_ batch: FrameBatch, includeProbe: Bool) { unsupported("maximum likelihood") }
    public func combineSearchWaves(_ batch: FrameBatch, includeProbe: Bool) { unsupported("maximum likelihood") }
    public func propagateSearchWavesForward(_ batch: FrameBatch, includeProbe: Bool) { unsupported("maximum likelihood") }
    public func accumulateLineSearch(_ batch: FrameBatch, noise: LikelihoodNoiseModel, includeProbe: Bool) {
        unsupported("maximum likelihood")
    }
}
