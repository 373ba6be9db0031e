/// One worker's share of the maximum-likelihood engine: wave buffers for the search direction's far
/// fields (scratch holds the current one), and the frame-summed line-search derivatives in Double.
final class LikelihoodWorkerScratch {
    /// `[K, ny, nx]`: P·ΔO + ΔP·O, then its far field.
    let firstOrder: ComplexArray
    /// `[K, ny, nx]`: ΔP·ΔO, then its far field; nil when the backend keeps every frame's exit-wave
    /// gradient, from which the line search gets this term without a transform.
    let secondOrder: ComplexArray?
    /// The worker's overlap sums, used as gradient (numerators) and curvature (denominators) sums.
    let gradientSums: OverlapAccumulators
    var lineSearchFirst = 0.0
    var lineSearchSecond = 0.0

    init(shape: FrameShape, gradientSums: OverlapAccumulators, transformsSecondOrder: Bool) {
        firstOrder = ComplexArray(shape: [shape.modes, shape.height, shape.width])
        secondOrder = transformsSecondOrder ? ComplexArray(shape: [shape.modes, shape.height, shape.width]) : nil
        self.gradientSums = gradientSums
    }
}

extension CPUFrameWorker {
    /// Makes the worker's ML scratch over its (already allocated) overlap sums.
    func allocateLikelihoodScratch() {
        guard likelihoodScratch == nil else { return }
        let sums = OverlapAccumulators(objectNumerator: objectNumerator!.pointer,
                                       objectDenominator: objectDenominator!.pointer,
                                       objectWidth: model.placement.objectWidth,
                                       probeNumerator: probeNumerator!.pointer,
                                       probeDenominator: probeDenominator!.pointer)
        likelihoodScratch = LikelihoodWorkerScratch(shape: shape, gradientSums: sums,
                                                    transformsSecondOrder: backend.likelihood!.exitWaveGradients == nil)
    }

    public func weightLikelihoodGradient(_ batch: FrameBatch, noise: LikelihoodNoiseModel) {
        let buffers = backend.likelihood!, pixels = shape.pixels, floor = buffers.intensityFloor
        for j in batch.indices {
            // The far field is kept for this iteration's line search (`LikelihoodBuffers.farFields`).
            LikelihoodKernels.weightGradient(farField: scratch.pointer, amplitudes: data.amplitudes.pointer + j * pixels,
                                             mask: data.mask.pointer, shape: shape, noise: noise,
                                             intensityFloor: floor, scratch: kernelScratch, metrics: &metrics,
                                             background: backend.background.map { UnsafePointer($0.values.pointer) },
                                             backgroundRatios: backgroundRatios?.pointer,
                                             keeping: buffers.farFields.slice(j))
            if backgroundRatios != nil { backgroundFrames += 1 }
        }
    }

    public func accumulateLikelihoodGradient(_ batch: FrameBatch, includeProbe: Bool) {
        let sums = likelihoodScratch!.gradientSums
        // Kept for the line search's second-order term, which only a probe direction has.
        let kept = includeProbe ? backend.likelihood!.exitWaveGradients : nil
        for j in batch.indices {
            LikelihoodKernels.accumulateGradient(gradient: scratch.pointer, probe: model.probe.pointer,
                                                 patch: model.patch(j), shape: shape, includeProbe: includeProbe,
                                                 accumulators: sums, keeping: kept?.slice(j))
        }
    }

    public func combineSearchWaves(_ batch: FrameBatch, includeProbe: Bool) {
        let buffers = backend.likelihood!, own = likelihoodScratch!
        let placement = model.placement
        for j in batch.indices {
            let direction = ObjectPatch(object: buffers.objectDirection.pointer, objectWidth: placement.objectWidth,
                                        row: placement.rows[j], column: placement.columns[j])
            own.lineSearchSecond += Double(LikelihoodKernels.combineSearchWaves(
                probe: model.probe.pointer, patch: model.patch(j),
                probeDirection: includeProbe ? UnsafePointer(buffers.probeDirection.pointer) : nil,
                objectDirection: direction, first: own.firstOrder.pointer, second: own.secondOrder?.pointer,
                exitWaveGradient: includeProbe ? buffers.exitWaveGradients.map { UnsafePointer($0.slice(j)) } : nil,
                scratch: kernelScratch,
                shape: shape))
        }
    }

    /// The current far field is the gradient sweep's (`LikelihoodBuffers.farFields`): only the direction's
    /// terms are transformed, and the second-order one only when no exit-wave gradients are kept.
    public func propagateSearchWavesForward(_ batch: FrameBatch, includeProbe: Bool) {
        let own = likelihoodScratch!
        plan.forward(own.firstOrder.pointer)
        if includeProbe, let second = own.secondOrder { plan.forward(second.pointer) }
    }

    public func accumulateLineSearch(_ batch: FrameBatch, noise: LikelihoodNoiseModel, includeProbe: Bool) {
        let own = likelihoodScratch!, pixels = shape.pixels, buffers = backend.likelihood!
        let floor = buffers.intensityFloor
        for j in batch.indices {
            let (first, second) = LikelihoodKernels.lineSearchTerms(
                current: buffers.farFields.slice(j), first: own.firstOrder.pointer,
                second: includeProbe ? own.secondOrder.map { UnsafePointer($0.pointer) } : nil,
                amplitudes: data.amplitudes.pointer + j * pixels, mask: data.mask.pointer, shape: shape,
                noise: noise, intensityFloor: floor, scratch: kernelScratch,
                background: backend.background.map { UnsafePointer($0.values.pointer) })
            own.lineSearchFirst += Double(first)
            own.lineSearchSecond += Double(second)
        }
    }
}
