/// The conjugate-gradient arrays of a maximum-likelihood stage: the gradient g (object, probe), the
/// previous iteration's gradient and the search direction h, the far fields of the current iterate, plus
/// the model-intensity floor. Allocated once when the stage starts; nothing is allocated inside an iteration.
public final class LikelihoodBuffers {
    public let objectGradient: ComplexArray
    public let previousObjectGradient: ComplexArray
    public let objectDirection: ComplexArray
    public let probeGradient: ComplexArray
    public let previousProbeGradient: ComplexArray
    public let probeDirection: ComplexArray
    /// Î is floored here inside the objective's derivatives: 10⁻⁶ of the mean observed intensity, far
    /// below any count a detector records, so only pixels with counts and (almost) no model intensity
    /// are affected; they then pull with a large but finite weight I/floor instead of a division by zero.
    public let intensityFloor: Float
    /// `[N, K, ny, nx]`: F(P_k·O_j) of every frame, kept by the gradient sweep for the line search of the
    /// same iteration (the object and probe do not change in between), which then transforms only the
    /// search direction's terms: four FFTs per frame-mode and iteration instead of five, for the memory DM
    /// spends on its exit waves. Not carried between iterations.
    public let farFields: ComplexArray
    /// `[N, K, ny, nx]`: the exit-wave gradient g_ψ of every frame, kept by the gradient sweep when it
    /// includes the probe, so that the line search gets the second-order term ΔP·ΔO in real space
    /// (`LikelihoodKernels.combineSearchWaves`): three FFTs per frame-mode and iteration instead of four,
    /// for a second array the size of the far fields. Nil when the backend does not keep them
    /// (`CPUBackend.keepsExitWaveGradients`). Not carried between iterations.
    public let exitWaveGradients: ComplexArray?

    init(objectShape: [Int], probeShape: [Int], frameCount: Int, intensityFloor: Float, keepsExitWaveGradients: Bool) {
        farFields = ComplexArray(shape: [frameCount] + probeShape)
        exitWaveGradients = keepsExitWaveGradients ? ComplexArray(shape: [frameCount] + probeShape) : nil
        objectGradient = ComplexArray(shape: objectShape)
        previousObjectGradient = ComplexArray(shape: objectShape)
        objectDirection = ComplexArray(shape: objectShape)
        probeGradient = ComplexArray(shape: probeShape)
        previousProbeGradient = ComplexArray(shape: probeShape)
        probeDirection = ComplexArray(shape: probeShape)
        self.intensityFloor = intensityFloor
    }

    /// Names of the carried arrays in engine state.
    public static let stateNames = ["ml_object_direction", "ml_probe_direction", "ml_previous_object_gradient",
                             "ml_previous_probe_gradient"]
    var carried: [ComplexArray] { [objectDirection, probeDirection, previousObjectGradient, previousProbeGradient] }
}

extension CPUBackend {
    public var objectPixelCount: Int { model.object.count }

    public func prepareLikelihood() {
        resetOverlapSums()
        if likelihood == nil {
            let meanIntensity = data.maskedIntensitySum / max(data.observedPixelCount, 1)
            likelihood = LikelihoodBuffers(objectShape: model.object.shape, probeShape: model.probe.shape,
                                           frameCount: frameCount, intensityFloor: max(Float(1e-6 * meanIntensity), 1e-30),
                                           keepsExitWaveGradients: keepsExitWaveGradients)
        }
        for worker in workers { worker.allocateLikelihoodScratch() }
    }

    public func releaseLikelihood() {
        likelihood = nil
        for worker in workers { worker.likelihoodScratch = nil }
    }

    public func reduceLikelihoodGradient(smoothness: Double) -> LikelihoodGradientSummary {
        let buffers = likelihood!
        var summary = LikelihoodGradientSummary()
        let objectCount = model.object.count, probeCount = model.probe.count, pixels = shape.pixels
        // The gradient sums live in the workers' overlap sums (numerators: gradients, denominators:
        // curvatures), reduced into worker 0's like DM's.
        reduceObjectSums()
        reduceProbeSums()
        let first = workers[0]
        let g = buffers.objectGradient.pointer
        g.update(from: first.objectNumerator!.pointer, count: 2 * objectCount)
        buffers.probeGradient.pointer.update(from: first.probeNumerator!.pointer, count: 2 * probeCount)
        summary.objectCurvature = Double(Reduction.maximum(first.objectDenominator!.pointer, objectCount))
        summary.probeCurvature = Double(Reduction.maximum(first.probeDenominator!.pointer, pixels))
        summary.smoothness = ObjectSmoothness.addGradient(object: model.object.pointer,
                                                          height: model.placement.objectHeight,
                                                          width: model.placement.objectWidth, weight: smoothness,
                                                          gradient: g)
        return summary
    }

    public func conjugateGradientProducts() -> ConjugateGradientProducts {
        let buffers = likelihood!
        func products(_ a: ComplexArray, _ b: ComplexArray) -> (Double, Double) {
            let x = a.pointer, y = b.pointer, count = 2 * a.count
            var norm = 0.0, overlap = 0.0
            var start = 0
            // Float partial sums over blocks, Double across them.
            while start < count {
                let end = min(count, start + 4096)
                var n: Float = 0, o: Float = 0
                for i in start..<end { n += x[i] * x[i]; o += x[i] * y[i] }
                norm += Double(n); overlap += Double(o)
                start = end
            }
            return (norm, overlap)
        }
        var result = ConjugateGradientProducts()
        (result.objectNorm, result.objectOverlap) = products(buffers.objectGradient, buffers.previousObjectGradient)
        (result.probeNorm, result.probeOverlap) = products(buffers.probeGradient, buffers.previousProbeGradient)
        return result
    }

    public func updateSearchDirection(beta: Double, probeScale: Double, includeProbe: Bool) {
        let buffers = likelihood!
        let b = Float(beta), s = includeProbe ? Float(probeScale) : 0
        func update(_ direction: ComplexArray, _ gradient: ComplexArray, _ previous: ComplexArray, scale: Float) {
            let h = direction.pointer, g = gradient.pointer
            for i in 0..<(2 * direction.count) { h[i] = b * h[i] - scale * g[i] }
            previous.pointer.update(from: g, count: 2 * gradient.count)
        }
        update(buffers.objectDirection, buffers.objectGradient, buffers.previousObjectGradient, scale: 1)
        update(buffers.probeDirection, buffers.probeGradient, buffers.previousProbeGradient, scale: s)
    }

    public func takeLineSearchSums() -> (first: Double, second: Double) {
        var first = 0.0, second = 0.0
        for worker in workers {
            let own = worker.likelihoodScratch!
            first += own.lineSearchFirst; second += own.lineSearchSecond
            own.lineSearchFirst = 0; own.lineSearchSecond = 0
        }
        return (first, second)
    }

    public func smoothnessAlongSearchDirection(weight: Double) -> (first: Double, second: Double) {
        ObjectSmoothness.alongDirection(object: model.object.pointer, direction: likelihood!.objectDirection.pointer,
                                        height: model.placement.objectHeight, width: model.placement.objectWidth,
                                        weight: weight)
    }

    public func stepAlongSearchDirection(_ step: Float, includeProbe: Bool) {
        let buffers = likelihood!
        func move(_ values: ComplexArray, along direction: ComplexArray) {
            let v = values.pointer, h = direction.pointer
            for i in 0..<(2 * values.count) { v[i] += step * h[i] }
        }
        move(model.object, along: buffers.objectDirection)
        if includeProbe { move(model.probe, along: buffers.probeDirection) }
    }

    public func conjugateGradientState() -> [String: ComplexArray] {
        guard let buffers = likelihood else { return [:] }
        return Dictionary(uniqueKeysWithValues: zip(LikelihoodBuffers.stateNames, buffers.carried))
    }

    public func restoreConjugateGradientState(_ arrays: [String: ComplexArray]) throws {
        prepareLikelihood()
        var state = EngineState()
        state.complexArrays = arrays
        for (name, target) in zip(LikelihoodBuffers.stateNames, likelihood!.carried) {
            let source = try state.complexArray(name, shape: target.shape)
            target.pointer.update(from: source.pointer, count: 2 * target.count)
        }
    }
}
