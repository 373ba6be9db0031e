import PtychoCore
import XCTest

final class InitialProbeTests: XCTestCase {
    /// The beam size cannot be read off the data when the beam is defocused; the trial must find it.
    func testTrialChoosesABeamDiameterNearTheTrueOne() {
        for truth in [2.0e-6, 4.0e-6] {
            var parameters = PtychographySimulation.Parameters(frameSize: 64, positionCount: 120)
            parameters.beamDiameter = truth
            parameters.scan = .fermatSpiral(step: 1e-6)
            parameters.seed = 3
            let (dataset, _) = PtychographySimulation.run(parameters)
            let choice = InitialProbe.chooseBeamDiameter(for: dataset, threads: 2, seed: 1)
            XCTAssertEqual(choice.trials.count, InitialProbe.candidateDiametersInSteps.count)
            XCTAssertGreaterThan(choice.diameter, truth / 1.6, "true \(truth), chose \(choice.diameter)")
            XCTAssertLessThan(choice.diameter, truth * 1.6, "true \(truth), chose \(choice.diameter)")
        }
    }

    func testInitialProbePowerMatchesTheData() {
        var parameters = PtychographySimulation.Parameters(frameSize: 64, positionCount: 40)
        parameters.deadPixelFraction = 0
        let (dataset, _) = PtychographySimulation.run(parameters)
        let probe = InitialProbe.aperture(for: dataset, beamDiameter: 3e-6, modes: 3, modePower: 0.05, seed: 1)
        XCTAssertEqual(probe.shape, [3, 64, 64])
        // With |O| ≈ 1 a frame's total counts equal Σ|P|² (unitary Parseval).
        XCTAssertEqual(probe.totalPower(), dataset.meanFrameIntensity(), accuracy: 0.01 * dataset.meanFrameIntensity())
    }

    func testWithModesKeepsOrDropsModes() {
        let probe = ComplexArray(shape: [2, 8, 8])
        probe.fill(re: 1, im: 0.5)
        XCTAssertEqual(InitialProbe.withModes(probe, modes: 2, modePower: 0.05, seed: 1).floats(), probe.floats())
        XCTAssertEqual(InitialProbe.withModes(probe, modes: 1, modePower: 0.05, seed: 1).shape, [1, 8, 8])
    }
}
