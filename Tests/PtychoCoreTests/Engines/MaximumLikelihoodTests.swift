import PtychoCore
import XCTest

/// The maximum-likelihood engine on the simulated experiment of `EngineReconstructionTests` (64² frames,
/// 160 positions, 1e6 photons per frame, Poisson noise).
///
/// Threshold: as for the other engines, NRMSE 0.05 against a start of ≈ 0.39. ML starts after a short DM
/// stage (DM:2, still far from the truth, see `testShortDMStartIsFarFromTheTruth`), because conjugate
/// gradients on this non-convex objective from an object of ones and an aperture probe converge slowly
/// (the paper also refines a DM result); a broken gradient or line search stays far above it.
final class MaximumLikelihoodTests: XCTestCase {
    static let threshold = 0.05
    static let start = "DM:2"

    private func check(_ noise: LikelihoodNoiseModel, modes: Int = 1, masked: Bool = false,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        var experiment = EngineTestCase.standard(modes: modes, masked: masked)
        experiment.adjust = { $0.mlNoiseModel = noise }
        let outcome = try experiment.run(plan: "\(Self.start),ML:40")
        let ml = outcome.history.dropFirst(2)
        XCTAssertTrue(ml.allSatisfy { $0.engine == "ML" }, file: file, line: line)
        XCTAssertLessThan(outcome.end, Self.threshold, "ML \(noise), \(modes) mode(s), mask \(masked): NRMSE \(outcome.end)",
                          file: file, line: line)
        XCTAssertLessThan(ml.last!.fourierError, 0.5 * ml.first!.fourierError, file: file, line: line)
        XCTAssertTrue(outcome.history.allSatisfy { $0.poissonNLL.isFinite && $0.fourierError.isFinite }, file: file, line: line)
        print("ML \(noise) modes \(modes) mask \(masked): NRMSE \(outcome.end), Fourier error "
              + "\(ml.first!.fourierError) → \(ml.last!.fourierError), NLL \(ml.first!.poissonNLL) → \(ml.last!.poissonNLL)")
    }

    func testShortDMStartIsFarFromTheTruth() throws {
        let outcome = try EngineTestCase().run(plan: Self.start)
        print("DM:2 alone: NRMSE \(outcome.end)")
        XCTAssertGreaterThan(outcome.end, 2 * Self.threshold, "DM:2 alone: NRMSE \(outcome.end)")
    }

    func testPoissonReconstructs() throws { try check(.poisson) }
    func testPoissonThreeModesWithMask() throws { try check(.poisson, modes: 3, masked: true) }
    func testGaussianReconstructs() throws { try check(.gaussian) }

    /// The acceptance test: DM followed by ML fits the data better (lower Poisson NLL) than DM alone
    /// for the same number of iterations. DM's power bound stops it at the noise level by design, while ML
    /// minimises the NLL itself, so the margin is large.
    func testDifferenceMapThenMLBeatsDifferenceMapAloneInLikelihood() throws {
        let dm = try EngineTestCase().run(plan: "DM:50")
        let dmML = try EngineTestCase().run(plan: "DM:30,ML:20")
        let nllDM = dm.history.last!.poissonNLL, nllDMML = dmML.history.last!.poissonNLL
        print("Poisson NLL: DM:50 \(nllDM), DM:30,ML:20 \(nllDMML); NRMSE \(dm.end) vs \(dmML.end)")
        XCTAssertLessThan(nllDMML, nllDM)
        XCTAssertLessThan(dmML.end, Self.threshold)
    }
}
