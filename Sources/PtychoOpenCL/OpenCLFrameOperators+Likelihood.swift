import PtychoCore

/// The maximum-likelihood operators on a batch of frames (`CPUFrameWorker+Likelihood` on the CPU; the
/// equations are in `LikelihoodKernels` and `OpenCLLikelihoodKernelSource`).
extension OpenCLFrameOperators {
    private func noiseCode(_ noise: LikelihoodNoiseModel) -> Int32 { noise == .poisson ? 0 : 1 }

    /// The metrics of the current iterate (as the modulus projection reports them, with B) and B's ratios,
    /// then the far fields kept for the line search and replaced by 2·m·f′(Î)·Ψ/n.
    public func weightLikelihoodGradient(_ batch: FrameBatch, noise: LikelihoodNoiseModel) {
        let (first, count) = range(batch)
        let buffers = backend.likelihoodBuffers!
        backend.attempt {
            try accumulateModulusMetrics(first: first, count: count, background: backend.backgroundBuffer)
            if backend.background != nil { try accumulateBackgroundRatios(first: first, count: count) }
            try kernels.likelihoodWeight.launch(on: context, global: Int(count) * shape.pixels, local: groupSize, [
                .buffer(backend.scratch), .buffer(buffers.farFields), .buffer(backend.amplitudes), .buffer(backend.mask),
                .buffer(backend.backgroundBuffer), .int(first), .int(count), .int(Int32(shape.modes)),
                .int(Int32(shape.pixels)), .int(noiseCode(noise)), .float(buffers.intensityFloor)])
        }
    }

    /// g_O = Σ_k P_k*·g_ψ and Σ|P|² (and g_P = Σ_j O_j*·g_ψ, Σ|O|²) from scratch = g_ψ: the overlap sums'
    /// gathers with the batch's scratch as the waves.
    /// With every frame in one batch the scratch keeps g_ψ for the line search (`exitWaveGradientsInScratch`).
    public func accumulateLikelihoodGradient(_ batch: FrameBatch, includeProbe: Bool) {
        let (first, count) = range(batch)
        backend.attempt {
            try accumulateObjectSums(from: backend.scratch, waveFirst: first, first: first, count: count)
            if includeProbe { try accumulateProbeSums(from: backend.scratch, waveFirst: first, first: first, count: count) }
        }
        backend.exitWaveGradientsInScratch = includeProbe && first == 0 && Int(count) == backend.frameCount
    }

    /// Whether the line search takes its second-order term in real space from the gradients in the scratch.
    private func secondOrderInRealSpace(_ includeProbe: Bool) -> Bool {
        includeProbe && backend.exitWaveGradientsInScratch
    }

    /// The first-order wave, and the second-order one's real-space term Re(conj(g_ψ)·ΔP·ΔO) per pixel where
    /// the scratch holds g_ψ, else the second-order wave itself (transformed next).
    public func combineSearchWaves(_ batch: FrameBatch, includeProbe: Bool) {
        let (first, count) = range(batch)
        let buffers = backend.likelihoodBuffers!
        let realSpace = secondOrderInRealSpace(includeProbe)
        backend.attempt {
            try kernels.searchWaves.launch(on: context, global: Int(count) * shape.modes * shape.pixels, local: groupSize, [
                .buffer(buffers.firstOrder), .buffer(buffers.secondOrder), .buffer(backend.probeBuffer),
                .buffer(backend.objectBuffer), .buffer(buffers.probeDirection), .buffer(buffers.objectDirection),
                .buffer(backend.rows), .buffer(backend.columns), .int(first), .int(count)], geometry,
                [.int(includeProbe ? 1 : 0), .buffer(backend.scratch), .int(realSpace ? 1 : 0)])
        }
    }

    public func propagateSearchWavesForward(_ batch: FrameBatch, includeProbe: Bool) {
        let buffers = backend.likelihoodBuffers!
        backend.attempt {
            try plan(batch).execute(buffers.firstOrder, inverse: false)
            if includeProbe && !secondOrderInRealSpace(includeProbe) {
                try plan(batch).execute(buffers.secondOrder, inverse: false)
            }
        }
    }

    /// Each frame's L′(0) and L″(0) terms; the per-group partials reuse the modulus metrics' partial buffers
    /// (the line-search sweep has no modulus step).
    public func accumulateLineSearch(_ batch: FrameBatch, noise: LikelihoodNoiseModel, includeProbe: Bool) {
        let (first, count) = range(batch)
        let buffers = backend.likelihoodBuffers!
        backend.attempt {
            try sumPerFrame(kernels.lineSearchPartials, first: first, count: count,
                            into: [(backend.partialResidual, buffers.lineFirst), (backend.partialLikelihood, buffers.lineSecond)],
                            [.buffer(buffers.farFields), .buffer(buffers.firstOrder), .buffer(buffers.secondOrder),
                             .buffer(backend.amplitudes), .buffer(backend.mask), .buffer(backend.backgroundBuffer),
                             .buffer(backend.partialResidual),
                             .buffer(backend.partialLikelihood), .int(first), .int(Int32(shape.modes)),
                             .int(Int32(shape.pixels)), .int(Int32(backend.metricGroupsPerFrame)), .int(noiseCode(noise)),
                             .float(buffers.intensityFloor), .int(includeProbe ? (secondOrderInRealSpace(includeProbe) ? 2 : 1) : 0),
                             .local(4 * groupSize)])
        }
    }
}
