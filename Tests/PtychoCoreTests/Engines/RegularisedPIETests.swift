import PtychoCore
import XCTest

/// rPIE and mPIE (Maiden, Johnson & Li 2017) on the simulated data of `EngineReconstructionTests`, with the
/// same threshold and its justification (NRMSE 0.05 from a start at ≈ 0.39).
final class RegularisedPIETests: XCTestCase {
    private func check(_ plan: String, modes: Int, masked: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        try EngineTestCase.standard(modes: modes, masked: masked).assertReconstructs(plan, file: file, line: line)
    }

    func testRPIEOneModeWithoutMask() throws { try check("rPIE:40", modes: 1, masked: false) }
    func testRPIEThreeModesWithMask() throws { try check("rPIE:40", modes: 3, masked: true) }
    func testMPIEOneModeWithoutMask() throws { try check("mPIE:40", modes: 1, masked: false) }
    func testMPIEThreeModesWithMask() throws { try check("mPIE:40", modes: 3, masked: true) }

    /// α_O = α_P = 1 is ePIE's normalisation: the same floats, not merely close ones.
    func testUnitRegularisationIsEPIEBitForBit() {
        var harness = EngineHarness()
        harness.modes = 2
        let epie = harness.setUp(threads: 1), rpie = harness.setUp(threads: 1)
        var first = ExtendedPIE(alpha: 1, beta: 1, probeUpdateStart: 2)
        var second = RegularisedPIE(alpha: 1, beta: 1, objectRegularisation: 1, probeRegularisation: 1, probeUpdateStart: 2)
        var randomA = RandomSource(seed: 3), randomB = RandomSource(seed: 3)
        first.start(on: epie.backend)
        second.start(on: rpie.backend)
        let a = EngineHarness.iterate(&first, on: epie, 1...3, random: &randomA)
        let b = EngineHarness.iterate(&second, on: rpie, 1...3, random: &randomB)
        XCTAssertEqual(a, b)
        XCTAssertTrue(epie.model.object.floats() == rpie.model.object.floats())
        XCTAssertTrue(epie.model.probe.floats() == rpie.model.probe.floats())
    }

    /// The default α_O = 0.1 really takes the per-pixel path (and converges faster than ePIE early on).
    func testDefaultRegularisationDiffersFromEPIE() {
        let harness = EngineHarness()
        let epie = harness.setUp(threads: 1), rpie = harness.setUp(threads: 1)
        var first = ExtendedPIE(probeUpdateStart: 2)
        var second = RegularisedPIE(probeUpdateStart: 2)
        var randomA = RandomSource(seed: 3), randomB = RandomSource(seed: 3)
        first.start(on: epie.backend)
        second.start(on: rpie.backend)
        let a = EngineHarness.iterate(&first, on: epie, 1...5, random: &randomA)
        let b = EngineHarness.iterate(&second, on: rpie, 1...5, random: &randomB)
        XCTAssertNotEqual(epie.model.object.floats(), rpie.model.object.floats())
        XCTAssertLessThan(rpie.data.fourierError(b.last!), epie.data.fourierError(a.last!))
    }

    func testEPIEResumesBitForBit() throws {
        try EngineHarness.assertResumesBitForBit(EngineHarness(), threads: 1) { ExtendedPIE(probeUpdateStart: 2) }
    }

    func testRPIEResumesBitForBit() throws {
        try EngineHarness.assertResumesBitForBit(EngineHarness(), threads: 1) { RegularisedPIE(probeUpdateStart: 2) }
    }

    /// The momentum buffers, the position counter and the visiting order are all state: T = 25 on 60
    /// positions makes the counter carry across iterations and the momentum fire mid-sweep after resuming.
    func testMPIEResumesBitForBit() throws {
        try EngineHarness.assertResumesBitForBit(EngineHarness(), threads: 1) {
            MomentumPIE(interval: 25, probeUpdateStart: 2)
        }
    }

    func testMPIEStateHoldsItsBuffersAndCounter() throws {
        let setup = EngineHarness().setUp(threads: 1)
        var engine = MomentumPIE(interval: 25)
        var random = RandomSource(seed: 1)
        engine.start(on: setup.backend)
        _ = EngineHarness.iterate(&engine, on: setup, 1...1, random: &random)
        let state = engine.saveState(on: setup.backend)
        XCTAssertEqual(try state.integers(MomentumPIE.positionCounterName), [60 % 25])
        XCTAssertEqual(Set(try state.integers(VisitingOrder.stateName)), Set(0..<60))
        for name in [MomentumBuffers.objectVelocityName, MomentumBuffers.objectSnapshotName] {
            XCTAssertNoThrow(try state.complexArray(name, shape: setup.model.object.shape))
        }
        for name in [MomentumBuffers.probeVelocityName, MomentumBuffers.probeSnapshotName] {
            XCTAssertNoThrow(try state.complexArray(name, shape: setup.model.probe.shape))
        }
        var fresh = MomentumPIE(interval: 25)
        fresh.start(on: setup.backend)
        var broken = state
        broken.integers[VisitingOrder.stateName] = Array(repeating: 0, count: 60)
        XCTAssertThrowsError(try fresh.restoreState(broken, on: setup.backend))
    }
}
