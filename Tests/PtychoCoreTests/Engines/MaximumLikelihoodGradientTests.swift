import PtychoCore
import XCTest

/// The pieces of the maximum-likelihood engine checked one by one on a partly converged state (DM:10 on
/// the simulated experiment, one thread so that every sum is in a fixed order).
final class MaximumLikelihoodGradientTests: XCTestCase {
    private func partlyConverged(modes: Int = 1, iterations: Int = 10) throws -> EngineTestSetup {
        var experiment = EngineTestCase()
        experiment.modes = modes
        experiment.simulatedModes = modes
        experiment.probeStart = 1
        let setup = try experiment.prepare(threads: 1)
        setup.reconstruction.run(plan: try EnginePlan(parsing: "DM:\(iterations)"))
        return setup
    }

    /// L = Σ m·f(Î) + R(O) at the current model, through the same operators the engine uses.
    private func objective(_ backend: CPUBackend, noise: LikelihoodNoiseModel, smoothness: Double) -> Double {
        let metrics = backend.sweep(.parallel) { operators, frames in
            operators.combineExitWaves(frames, weight: 1, fromStoredExitWaves: false)
            operators.propagateForward(frames)
            operators.weightLikelihoodGradient(frames, noise: noise)
        }
        let model = backend.model
        let scratch = ComplexArray(shape: model.object.shape)
        let prior = ObjectSmoothness.addGradient(object: model.object.pointer, height: model.placement.objectHeight,
                                                 width: model.placement.objectWidth, weight: smoothness,
                                                 gradient: scratch.pointer)
        return (noise == .poisson ? metrics.likelihood : metrics.amplitudeResidual) + prior
    }

    private func realDot(_ a: ComplexArray, _ b: ComplexArray) -> Double {
        var sum = 0.0
        for i in 0..<(2 * a.count) { sum += Double(a.storage[i]) * Double(b.storage[i]) }
        return sum
    }

    private func fillRandom(_ array: ComplexArray, scale: Float, random: inout RandomSource) {
        for i in 0..<(2 * array.count) { array.storage[i] = scale * Float.random(in: -1...1, using: &random) }
    }

    /// Puts an incoherent background of `value` photons on every pixel into the backend's model.
    private func setUniformBackground(_ value: Float, on backend: CPUBackend) throws {
        backend.enableBackground()
        let background = try XCTUnwrap(backend.background)
        let values = RealArray(shape: background.values.shape)
        values.fill(value)
        background.restore(from: values)
    }

    /// The gradient at the current model, then the line search's L′(0) and L″(0) along a random direction
    /// (seeded, so the same on every call): (gradient·direction, L′, L″), each with the prior's share.
    /// The object's direction is random of size 1, the probe's the probe times a random factor of size 1.
    private func lineSearchAlongRandomDirection(_ backend: CPUBackend, noise: LikelihoodNoiseModel,
                                                smoothness mu: Double) -> (Double, Double, Double) {
        let model = backend.model
        backend.resetOverlapSums()
        _ = backend.sweep(.parallel) { operators, frames in
            operators.combineExitWaves(frames, weight: 1, fromStoredExitWaves: false)
            operators.propagateForward(frames)
            operators.weightLikelihoodGradient(frames, noise: noise)
            operators.propagateBackward(frames)
            operators.accumulateLikelihoodGradient(frames, includeProbe: true)
        }
        _ = backend.reduceLikelihoodGradient(smoothness: mu)
        let buffers = backend.likelihood!
        var random = RandomSource(seed: 42)
        fillRandom(buffers.objectDirection, scale: 1, random: &random)
        // The probe's direction is the probe times a random complex field, so that it is of the probe's
        // size where the beam is and does not flood the dark detector pixels with noise power.
        fillRandom(buffers.probeDirection, scale: 1, random: &random)
        let p = model.probe.pointer, d = buffers.probeDirection.pointer
        for i in 0..<model.probe.count {
            let (ur, ui) = (d[2 * i], d[2 * i + 1])
            d[2 * i] = p[2 * i] * ur - p[2 * i + 1] * ui
            d[2 * i + 1] = p[2 * i] * ui + p[2 * i + 1] * ur
        }
        let analytic = realDot(buffers.objectGradient, buffers.objectDirection)
            + realDot(buffers.probeGradient, buffers.probeDirection)

        _ = backend.sweep(.parallel) { operators, frames in
            operators.combineSearchWaves(frames, includeProbe: true)
            operators.propagateSearchWavesForward(frames, includeProbe: true)
            operators.accumulateLineSearch(frames, noise: noise, includeProbe: true)
        }
        let data = backend.takeLineSearchSums(), prior = backend.smoothnessAlongSearchDirection(weight: mu)
        return (analytic, data.first + prior.first, data.second + prior.second)
    }

    /// (c) The analytic gradient against central finite differences of L in a random direction, and the line
    /// search's first and second derivative against the same differences (the line search's L′ is computed
    /// in Fourier space from the direction's far fields, the gradient's in real space: they must agree to
    /// rounding). The object's direction is random of size 1 (|O| ~ 1), the probe's the probe times a
    /// random factor of size 1. With `background` B > 0 (photons per pixel, everywhere) the model is
    /// Î = Σ|Ψ|² + B in L, its gradient and its line search alike.
    func checkGradient(_ noise: LikelihoodNoiseModel, smoothness regularisation: Double, background: Float = 0) throws {
        let setup = try partlyConverged()
        let backend = setup.reconstruction.backend, model = setup.model
        if background > 0 { try setUniformBackground(background, on: backend) }
        var engine = MaximumLikelihood(noise: noise, objectRegularisation: regularisation, probeUpdateStart: 1)
        engine.start(on: backend)
        defer { engine.finish(on: backend) }
        let mu = engine.smoothnessWeight(on: backend)
        let (analytic, first, second) = lineSearchAlongRandomDirection(backend, noise: noise, smoothness: mu)

        let object = ComplexArray(copying: model.object), probe = ComplexArray(copying: model.probe)
        func at(_ gamma: Float) -> Double {
            model.object.pointer.update(from: object.pointer, count: 2 * object.count)
            model.probe.pointer.update(from: probe.pointer, count: 2 * probe.count)
            backend.stepAlongSearchDirection(gamma, includeProbe: true)
            return objective(backend, noise: noise, smoothness: mu)
        }
        let centre = at(0)
        // First derivative: central difference at h = 5e-4, where the O(h²) error is ~0.1 % and Float
        // rounding in the Poisson L (summed per frame in Float, ~1e9 in all) ~0.5 %.
        let h: Float = 0.0005
        let finiteFirst = (at(h) - at(-h)) / (2 * Double(h))
        // Second derivative: the L″ noise amplification is 1/h², so a larger h.
        let k: Float = 0.001
        let finiteSecond = (at(k) - 2 * centre + at(-k)) / Double(k * k)
        print("\(noise) μ=\(mu): gradient·d \(analytic), line search L′ \(first), finite difference \(finiteFirst); "
              + "L″ \(second), finite difference \(finiteSecond)")
        XCTAssertEqual(first, analytic, accuracy: 1e-3 * abs(analytic))
        XCTAssertEqual(finiteFirst, analytic, accuracy: 2e-2 * abs(analytic))
        // The Poisson L is ~1e9 summed per frame in Float, so its second difference is rounding noise at any
        // h small enough for the O(h²) error; the Gaussian L (~1e5) is not, and shares the expansion
        // (c0, c1, c2) with the Poisson one, which differs only in f′ and f″. The Poisson L″ is exercised by
        // the line-search test (every step lowers the objective).
        if noise == .gaussian { XCTAssertEqual(finiteSecond, second, accuracy: 2e-2 * abs(second)) }
    }

    func testPoissonGradientMatchesFiniteDifferences() throws { try checkGradient(.poisson, smoothness: 0) }
    func testGaussianGradientMatchesFiniteDifferences() throws { try checkGradient(.gaussian, smoothness: 0) }
    func testGradientWithSmoothnessPriorMatchesFiniteDifferences() throws { try checkGradient(.poisson, smoothness: 0.05) }
    /// B shifts Î in f′ and f″ of both noise models alike (the Poisson L with B is ~10⁹ in Float again, its
    /// central difference 3–4 % off from rounding alone, so the Gaussian one carries the check).
    func testGradientWithBackgroundMatchesFiniteDifferences() throws {
        try checkGradient(.gaussian, smoothness: 0, background: 1)
    }

    /// The line search's second-order term ΔP·ΔO enters L″ through the far field F[ΔP·ΔO] (the backend
    /// transforms it) or, by Parseval, through the kept exit-wave gradients in real space
    /// (`CPUBackend.keepsExitWaveGradients`): on the same state and direction both give the same L′ and L″
    /// to rounding, for both noise models and with a background (2 probe modes, so the sums over modes count).
    func testKeptExitWaveGradientsGiveTheTransformedLineSearch() throws {
        for (noise, background) in [(LikelihoodNoiseModel.poisson, Float(0)), (.gaussian, 0), (.poisson, 1)] {
            let setup = try partlyConverged(modes: 2)
            let backend = setup.reconstruction.backend
            if background > 0 { try setUniformBackground(background, on: backend) }
            var sums: [(Double, Double, Double)] = []
            for keeps in [true, false] {
                backend.keepsExitWaveGradients = keeps
                var engine = MaximumLikelihood(noise: noise, probeUpdateStart: 1)
                engine.start(on: backend)
                XCTAssertEqual(backend.likelihood?.exitWaveGradients != nil, keeps)
                sums.append(lineSearchAlongRandomDirection(backend, noise: noise, smoothness: 0))
                engine.finish(on: backend)
            }
            let (kept, transformed) = (sums[0], sums[1])
            print("\(noise) B=\(background): L′ \(kept.1) / \(transformed.1), L″ \(kept.2) / \(transformed.2)")
            XCTAssertEqual(kept.0, transformed.0, accuracy: 1e-6 * abs(transformed.0), "the gradient itself")
            XCTAssertEqual(kept.1, transformed.1, accuracy: 1e-5 * abs(transformed.1))
            XCTAssertEqual(kept.2, transformed.2, accuracy: 1e-6 * abs(transformed.2))
        }
    }

    /// (d) Every line-search step lowers the objective: the objective each iteration reports (of the iterate
    /// before its step) decreases strictly, for both noise models, with and without the prior.
    func testLineSearchStepsLowerTheObjective() throws {
        for (noise, regularisation) in [(LikelihoodNoiseModel.poisson, 0.0), (.gaussian, 0.0), (.poisson, 0.05)] {
            let setup = try partlyConverged(modes: 2, iterations: 8)
            let backend = setup.reconstruction.backend
            var engine = MaximumLikelihood(noise: noise, objectRegularisation: regularisation, probeUpdateStart: 1)
            var random = RandomSource(seed: 1)
            engine.start(on: backend)
            var objectives: [Double] = []
            for iteration in 9...16 {
                _ = engine.iterate(on: backend, iteration: iteration, random: &random)
                objectives.append(engine.lastObjective)
                XCTAssertNotEqual(engine.lastStep, 0, "\(noise) iteration \(iteration): no step")
            }
            engine.finish(on: backend)
            print("\(noise) prior \(regularisation): objective \(objectives)")
            for (before, after) in zip(objectives, objectives.dropFirst()) {
                XCTAssertLessThan(after, before, "\(noise), prior \(regularisation)")
            }
        }
    }

    /// (f) A run saved after an ML iteration and restored into a fresh backend and engine continues exactly
    /// like the uninterrupted run (metrics and object bit for bit, one thread).
    func testSavedStateContinuesExactly() throws {
        let setup = try partlyConverged(modes: 2, iterations: 6)
        let backend = setup.reconstruction.backend, model = setup.model
        var random = RandomSource(seed: 1)
        var engine = MaximumLikelihood(objectRegularisation: 0.01, probeUpdateStart: 8)
        engine.start(on: backend)
        for iteration in 7...9 { _ = engine.iterate(on: backend, iteration: iteration, random: &random) }
        // Checkpoint: the state arrays are references into the running backend, so copy them (as writing a
        // checkpoint file would).
        var saved = engine.saveState(on: backend)
        XCTAssertEqual(saved.complexArrays.count, 4)
        saved.complexArrays = saved.complexArrays.mapValues { ComplexArray(copying: $0) }
        func copyOfModel() -> ReconstructionModel {
            ReconstructionModel(object: ComplexArray(copying: model.object), probe: ComplexArray(copying: model.probe),
                                placement: model.placement)
        }
        let savedModel = copyOfModel(), restartModel = copyOfModel()
        var uninterrupted: [FourierMetrics] = []
        for iteration in 10...12 { uninterrupted.append(engine.iterate(on: backend, iteration: iteration, random: &random)) }
        engine.finish(on: backend)

        let resumedBackend = CPUBackend(model: savedModel, data: setup.data, threads: 1, planningEffort: .estimate)
        var resumed = MaximumLikelihood(objectRegularisation: 0.01, probeUpdateStart: 8)
        resumed.start(on: resumedBackend)
        try resumed.restoreState(saved, on: resumedBackend)
        var continued: [FourierMetrics] = []
        for iteration in 10...12 { continued.append(resumed.iterate(on: resumedBackend, iteration: iteration, random: &random)) }
        resumed.finish(on: resumedBackend)

        XCTAssertEqual(continued, uninterrupted)
        XCTAssertEqual(savedModel.object.floats(), model.object.floats())
        XCTAssertEqual(savedModel.probe.floats(), model.probe.floats())

        // A fresh engine without the state restarts from steepest descent and so takes another path: the
        // carried direction is what makes the continuation exact.
        let restartBackend = CPUBackend(model: restartModel, data: setup.data, threads: 1, planningEffort: .estimate)
        var restarted = MaximumLikelihood(objectRegularisation: 0.01, probeUpdateStart: 8)
        restarted.start(on: restartBackend)
        var fresh: [FourierMetrics] = []
        for iteration in 10...12 { fresh.append(restarted.iterate(on: restartBackend, iteration: iteration, random: &random)) }
        restarted.finish(on: restartBackend)
        XCTAssertEqual(fresh[0], uninterrupted[0])
        XCTAssertNotEqual(fresh[2], uninterrupted[2])
    }

    func testRestoreRejectsMissingState() throws {
        let setup = try partlyConverged(iterations: 1)
        let backend = setup.reconstruction.backend
        var engine = MaximumLikelihood()
        engine.start(on: backend)
        defer { engine.finish(on: backend) }
        XCTAssertThrowsError(try engine.restoreState(EngineState(), on: backend))
    }
}
