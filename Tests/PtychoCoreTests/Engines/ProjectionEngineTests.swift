import PtychoCore
import XCTest

/// DM, RAAR and AP through the one generalised projection iteration (`ProjectionEngine`). DM's own
/// reconstructions are `EngineReconstructionTests`' (unchanged by the refactor); the threshold is theirs.
final class ProjectionEngineTests: XCTestCase {
    private func check(_ plan: String, modes: Int, masked: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        try EngineTestCase.standard(modes: modes, masked: masked).assertReconstructs(plan, file: file, line: line)
    }

    func testRAAROneModeWithoutMask() throws { try check("RAAR:40", modes: 1, masked: false) }
    func testRAARThreeModesWithMask() throws { try check("RAAR:40", modes: 3, masked: true) }
    /// AP alone stagnates from a poor start (its known weakness), so it polishes after DM here.
    func testAPAfterDMWithMask() throws { try check("DM:20,AP:20", modes: 1, masked: true) }

    func testCoefficientsOfTheThreeChoices() {
        XCTAssertEqual(ProjectionCoefficients.differenceMap(alpha: 1), ProjectionCoefficients(a: -1, b: 1, c: 2))
        XCTAssertEqual(ProjectionCoefficients.differenceMap(alpha: 0), ProjectionCoefficients(a: 0, b: 1, c: 1))
        XCTAssertEqual(ProjectionCoefficients.relaxedAveragedAlternatingReflections(beta: 0.75),
                       ProjectionCoefficients(a: -0.5, b: 0.75, c: 2))
        XCTAssertEqual(AlternatingProjections().coefficients, DifferenceMap(alpha: 0).coefficients)
    }

    /// RAAR(β = 1): a = 1 − 2β = −1, b = 1, c = 2 — DM(α = 1)'s coefficients, so the same floats.
    func testRAARAtBetaOneIsDifferenceMap() {
        let harness = EngineHarness()
        let dm = harness.setUp(threads: 2), raar = harness.setUp(threads: 2)
        let settings = ProjectionSettings(probeUpdateStart: 2)
        var first = DifferenceMap(alpha: 1, probeUpdateStart: 2)
        var second = RelaxedAveragedAlternatingReflections(beta: 1, settings: settings)
        XCTAssertEqual(first.coefficients, second.coefficients)
        var randomA = RandomSource(seed: 1), randomB = RandomSource(seed: 1)
        first.start(on: dm.backend)
        second.start(on: raar.backend)
        let a = EngineHarness.iterate(&first, on: dm, 1...4, random: &randomA)
        let b = EngineHarness.iterate(&second, on: raar, 1...4, random: &randomB)
        XCTAssertEqual(a, b)
        XCTAssertTrue(dm.model.object.floats() == raar.model.object.floats())
        XCTAssertTrue(dm.model.probe.floats() == raar.model.probe.floats())
    }

    /// The exit waves are the projection engines' state: a run resumed from them continues identically.
    func testDifferenceMapResumesBitForBit() throws {
        try EngineHarness.assertResumesBitForBit(EngineHarness(), threads: 2) { DifferenceMap(probeUpdateStart: 2) }
    }

    func testRAARResumesBitForBit() throws {
        try EngineHarness.assertResumesBitForBit(EngineHarness(), threads: 2) {
            RelaxedAveragedAlternatingReflections(settings: ProjectionSettings(probeUpdateStart: 2, fourierRelaxation: 0))
        }
    }

    func testSavedStateHoldsTheExitWaves() throws {
        let setup = EngineHarness().setUp(threads: 1)
        var engine = AlternatingProjections()
        engine.start(on: setup.backend)
        let state = engine.saveState(on: setup.backend)
        let shape = [setup.data.frameCount, 1, 64, 64]
        XCTAssertTrue(try state.complexArray("exit_waves", shape: shape) === setup.backend.exitWaves, "by reference")
        var wrong = EngineState()
        wrong.complexArrays["exit_waves"] = ComplexArray(shape: [2, 1, 64, 64])
        XCTAssertThrowsError(try engine.restoreState(wrong, on: setup.backend)) {
            XCTAssertEqual($0 as? EngineStateError, .wrongShape("exit_waves", expected: shape, found: [2, 1, 64, 64]))
        }
        engine.finish(on: setup.backend)
        XCTAssertNil(setup.backend.exitWaves)
    }

    func testPlanNamesTheNewEngines() throws {
        let plan = try EnginePlan(parsing: "raar:10,ap:5,RPIE:3,mpie:2")
        XCTAssertEqual(plan.stages.map(\.engine), [.relaxedAveragedAlternatingReflections, .alternatingProjections, .rPIE, .mPIE])
        XCTAssertEqual(plan.description, "RAAR:10,AP:5,rPIE:3,mPIE:2")
        XCTAssertTrue(plan.usesExitWaves)
        XCTAssertFalse(try EnginePlan(parsing: "rPIE:3,mPIE:2,ePIE:1").usesExitWaves)
    }
}
