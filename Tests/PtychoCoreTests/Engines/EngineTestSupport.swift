import PtychoCore
import XCTest

/// A small simulated experiment and the reconstruction machinery around it, shared by the engine tests.
struct EngineTestCase {
    var frameSize = 64
    var positions = 160
    var modes = 1
    var simulatedModes = 1
    var deadPixelFraction = 0.0
    var gapColumns: Range<Int>? = nil
    var dose: Double? = 1e6
    var seed: UInt64 = 5
    var probeStart = 3
    var useTrueProbe = false
    /// Power fraction of each extra simulated probe mode.
    var extraModePowerFraction = 0.1
    /// Applied to the configuration after the fields above (engine options of a test).
    var adjust: (inout ReconstructionConfiguration) -> Void = { _ in }

    /// Reconstructs with `plan` from the automatic initial probe; returns the NRMSE of the start and the end.
    func run(plan: String, threads: Int = 2, file: StaticString = #filePath, line: UInt = #line)
        throws -> (start: Double, end: Double, history: [IterationRecord]) {
        let setup = try prepare(threads: threads)
        let start = try setup.nrmse()
        let history = setup.reconstruction.run(plan: try EnginePlan(parsing: plan))
        return (start, try setup.nrmse(), history)
    }

    /// The simulated experiment, the starting model and a reconstruction over it, before any iteration.
    func prepare(threads: Int = 2, planningEffort: FFTPlanningEffort = .estimate) throws -> EngineTestSetup {
        var parameters = PtychographySimulation.Parameters(frameSize: frameSize, positionCount: positions)
        parameters.probeModeCount = simulatedModes
        parameters.deadPixelFraction = deadPixelFraction
        parameters.detectorGapColumns = gapColumns
        parameters.dose = dose
        parameters.seed = seed
        // Fewer, wider spokes and more texture than the default, so the small scanned field is structured.
        parameters.object = SimulatedObject(spokeCount: 12, phaseAmplitude: 1.2, starRadiusFraction: 0.9,
                                            amplitudeRange: 0.5...1.0, blobCount: 9, textureShare: 0.5)
        parameters.extraModePowerFraction = extraModePowerFraction
        let (dataset, truth) = PtychographySimulation.run(parameters)
        let choice = InitialProbe.chooseBeamDiameter(for: dataset, threads: threads, seed: seed)
        let probe = useTrueProbe ? InitialProbe.withModes(truth.probe, modes: modes, modePower: 0.05, seed: seed)
            : InitialProbe.aperture(for: dataset, beamDiameter: choice.diameter, modes: modes,
                                    modePower: 0.05, seed: seed, apertureRadius: choice.apertureRadius)
        let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                        frameHeight: frameSize, frameWidth: frameSize)
        let object = ComplexArray(shape: [placement.objectHeight, placement.objectWidth])
        object.fill(re: 1)
        let model = ReconstructionModel(object: object, probe: probe, placement: placement)
        let data = MeasuredData(consuming: dataset, threads: threads)
        var configuration = ReconstructionConfiguration()
        configuration.seed = seed
        configuration.probeUpdateStart = probeStart
        adjust(&configuration)
        let reconstruction = Reconstruction(model: model, data: data, configuration: configuration, threads: threads,
                                            planningEffort: planningEffort)
        return EngineTestSetup(model: model, data: data, truth: truth, reconstruction: reconstruction)
    }
}

/// A prepared engine test: the model being reconstructed, its data and truth.
struct EngineTestSetup {
    let model: ReconstructionModel
    let data: MeasuredData
    let truth: SimulationTruth
    let reconstruction: Reconstruction<CPUBackend>

    /// NRMSE of the current object against the truth (global phase, ramp, scale and shift removed).
    func nrmse() throws -> Double {
        let placement = model.placement
        return try TruthComparison.compare(reconstruction: model.object,
                                    reconstructionOrigin: (placement.originRow, placement.originColumn),
                                    illumination: model.illumination(), truth: truth.object,
                                    truthOrigin: (truth.originRow, truth.originColumn),
                                    pixelSize: placement.pixelSize).nrmse
    }
}

extension EngineTestCase {
    /// The engine tests' experiment with `modes` simulated and reconstructed probe modes; `masked` adds 1 %
    /// dead pixels and a three-column detector gap.
    static func standard(modes: Int, masked: Bool) -> EngineTestCase {
        var experiment = EngineTestCase()
        experiment.modes = modes
        experiment.simulatedModes = modes
        if masked {
            experiment.deadPixelFraction = 0.01
            experiment.gapColumns = 40..<43
        }
        return experiment
    }

    /// Runs `plan` and asserts what every engine's reconstruction test asserts: the start is far from the
    /// truth, the end is below `EngineReconstructionTests.threshold`, the Fourier error fell and every
    /// metric is finite.
    @discardableResult
    func assertReconstructs(_ plan: String, file: StaticString = #filePath, line: UInt = #line)
        throws -> (start: Double, end: Double, history: [IterationRecord]) {
        let outcome = try run(plan: plan)
        let label = "\(plan), \(modes) mode(s), mask \(deadPixelFraction > 0)"
        XCTAssertGreaterThan(outcome.start, 0.3, "the starting guess should be far from the truth", file: file, line: line)
        XCTAssertLessThan(outcome.end, EngineReconstructionTests.threshold, "\(label): NRMSE \(outcome.end)",
                          file: file, line: line)
        XCTAssertLessThan(outcome.history.last!.fourierError, outcome.history.first!.fourierError, file: file, line: line)
        XCTAssertTrue(outcome.history.allSatisfy { $0.poissonNLL.isFinite && $0.fourierError.isFinite }, file: file, line: line)
        print("\(label): NRMSE \(outcome.start) → \(outcome.end)")
        return outcome
    }
}
