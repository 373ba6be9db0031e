import PtychoCore
import XCTest

/// A small simulated experiment with direct access to the model and the backend, for tests that drive
/// engines iteration by iteration (bit-for-bit comparisons, save → restore) or need the backend after a
/// reconstruction (the refined background). Same parameters → identical data, so two setups can be
/// compared bit for bit.
struct EngineHarness {
    var frameSize = 64
    var positions = 60
    var modes = 1
    var dose: Double? = 1e6
    /// Mean diffuse background of the simulation, photons per pixel (0 = none).
    var background = 0.0
    var seed: UInt64 = 5

    struct Setup {
        let model: ReconstructionModel
        let data: MeasuredData
        let backend: CPUBackend
        let truth: SimulationTruth
        let placement: ObjectPlacement
    }

    func simulate() -> (DiffractionDataset, SimulationTruth) {
        var parameters = PtychographySimulation.Parameters(frameSize: frameSize, positionCount: positions)
        parameters.probeModeCount = modes
        parameters.dose = dose
        parameters.seed = seed
        parameters.background = background
        parameters.object = SimulatedObject(spokeCount: 12, phaseAmplitude: 1.2, starRadiusFraction: 0.9,
                                            amplitudeRange: 0.5...1.0, blobCount: 9, textureShare: 0.5)
        parameters.extraModePowerFraction = 0.1
        return PtychographySimulation.run(parameters)
    }

    /// The model starts from `object` and `probe` when given (copied), else from ones and an aperture probe
    /// of the simulated beam's diameter (no trial, so the setup is cheap and deterministic).
    func setUp(threads: Int, object: ComplexArray? = nil, probe: ComplexArray? = nil,
               sequentialPlanThreaded: Bool? = nil, rowBands: Int? = nil) -> Setup {
        let (dataset, truth) = simulate()
        let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                        frameHeight: frameSize, frameWidth: frameSize)
        let initialObject = object.map { ComplexArray(copying: $0) } ?? {
            let ones = ComplexArray(shape: [placement.objectHeight, placement.objectWidth])
            ones.fill(re: 1)
            return ones
        }()
        let initialProbe = probe.map { ComplexArray(copying: $0) }
            ?? InitialProbe.aperture(for: dataset, beamDiameter: 3e-6, modes: modes, modePower: 0.05, seed: seed)
        let model = ReconstructionModel(object: initialObject, probe: initialProbe, placement: placement)
        let data = MeasuredData(consuming: dataset, threads: threads)
        let backend = CPUBackend(model: model, data: data, threads: threads, planningEffort: .estimate,
                                 sequentialPlanThreaded: sequentialPlanThreaded, rowBands: rowBands)
        return Setup(model: model, data: data, backend: backend, truth: truth, placement: placement)
    }

    /// Object NRMSE against the truth after removing global phase, scale, ramp and sub-pixel shift.
    static func nrmse(_ model: ReconstructionModel, _ truth: SimulationTruth) throws -> Double {
        let placement = model.placement
        return try TruthComparison.compare(reconstruction: model.object,
                                           reconstructionOrigin: (placement.originRow, placement.originColumn),
                                           illumination: model.illumination(), truth: truth.object,
                                           truthOrigin: (truth.originRow, truth.originColumn),
                                           pixelSize: placement.pixelSize).nrmse
    }

    /// Runs `engine` for `iterations` (plan-wide numbers) on `setup`, returning the metrics.
    static func iterate<Engine: ReconstructionEngine>(_ engine: inout Engine, on setup: Setup,
                                                      _ iterations: ClosedRange<Int>,
                                                      random: inout RandomSource) -> [FourierMetrics] {
        iterations.map { engine.iterate(on: setup.backend, iteration: $0, random: &random) }
    }

    /// Runs `make()` for `before` iterations, saves its state (deep-copied) with the model and random
    /// source, runs `after` more; then a fresh setup from the saved model, a fresh engine restored from the
    /// saved state, and the same `after` iterations must give exactly the same floats and metrics.
    static func assertResumesBitForBit<Engine: ReconstructionEngine>(
        _ harness: EngineHarness, threads: Int, before: Int = 3, after: Int = 2, make: () -> Engine,
        file: StaticString = #filePath, line: UInt = #line) throws {
        let first = harness.setUp(threads: threads)
        var engine = make()
        var random = RandomSource(seed: 11)
        engine.start(on: first.backend)
        _ = iterate(&engine, on: first, 1...before, random: &random)
        let saved = deepCopy(engine.saveState(on: first.backend))
        let savedObject = ComplexArray(copying: first.model.object), savedProbe = ComplexArray(copying: first.model.probe)
        let savedRandom = random
        let continued = iterate(&engine, on: first, (before + 1)...(before + after), random: &random)
        engine.finish(on: first.backend)

        let second = harness.setUp(threads: threads, object: savedObject, probe: savedProbe)
        var resumed = make()
        var resumedRandom = savedRandom
        resumed.start(on: second.backend)
        try resumed.restoreState(saved, on: second.backend)
        let again = iterate(&resumed, on: second, (before + 1)...(before + after), random: &resumedRandom)
        resumed.finish(on: second.backend)

        XCTAssertEqual(continued, again, "metrics after resuming", file: file, line: line)
        XCTAssertTrue(first.model.object.floats() == second.model.object.floats(), "object after resuming",
                      file: file, line: line)
        XCTAssertTrue(first.model.probe.floats() == second.model.probe.floats(), "probe after resuming",
                      file: file, line: line)
        XCTAssertEqual(random, resumedRandom, file: file, line: line)
    }

    /// A copy of `state` that later iterations cannot change (saved arrays are held by reference).
    static func deepCopy(_ state: EngineState) -> EngineState {
        var copy = state
        copy.complexArrays = state.complexArrays.mapValues { ComplexArray(copying: $0) }
        copy.realArrays = state.realArrays.mapValues { RealArray(shape: $0.shape, values: $0.floats()) }
        return copy
    }
}
