import PtychoCore
import XCTest

/// The PIE family's sequential sweeps share each frame's element-wise passes among the threads by bands
/// of rows (`RowBandTeam`). Every pixel's update is the same float operation whichever thread does it, so
/// the model must be bit-for-bit the one a single thread computes; only the metrics' sums are added in
/// another order.
final class RowBandTests: XCTestCase {
    /// ePIE, rPIE (per-pixel steps) and mPIE (momentum through the host) with two modes and a refined
    /// background, on 1 thread and on 3 (three bands of 21–22 rows: unequal, not multiples of the vector width).
    func testBandsGiveTheSingleThreadModelBitForBit() throws {
        var harness = EngineHarness()
        harness.modes = 2
        harness.background = 2
        func engines() -> [any ReconstructionEngine] {
            [ExtendedPIE(), RegularisedPIE(objectRegularisation: 0.2, probeRegularisation: 0.5),
             MomentumPIE(interval: 20)]
        }
        for (index, _) in engines().enumerated() {
            var outcomes: [(object: [Float], probe: [Float], background: [Float], metrics: [FourierMetrics])] = []
            for threads in [1, 3] {
                // Three bands even on a 2-core machine (the default never exceeds the cores).
                let setup = harness.setUp(threads: threads, sequentialPlanThreaded: false, rowBands: threads)
                setup.backend.enableBackground()
                XCTAssertEqual(setup.backend.sequentialPlanIsThreaded, false)
                var random = RandomSource(seed: 3)
                let metrics = run(engines()[index], on: setup, iterations: 4, random: &random)
                outcomes.append((setup.model.object.floats(), setup.model.probe.floats(),
                                 setup.backend.background!.values.floats(), metrics))
            }
            let name = String(describing: type(of: engines()[index]))
            XCTAssertTrue(outcomes[0].object == outcomes[1].object, "\(name): object differs with 3 bands")
            XCTAssertTrue(outcomes[0].probe == outcomes[1].probe, "\(name): probe differs with 3 bands")
            XCTAssertTrue(outcomes[0].background == outcomes[1].background, "\(name): background differs")
            for (one, three) in zip(outcomes[0].metrics, outcomes[1].metrics) {
                XCTAssertEqual(three.amplitudeResidual, one.amplitudeResidual, accuracy: 1e-5 * one.amplitudeResidual,
                               "\(name): Fourier error")
                XCTAssertEqual(three.likelihood, one.likelihood, accuracy: 1e-5 * abs(one.likelihood),
                               "\(name): likelihood")
            }
            // The sweep must have done something for the comparison to mean anything.
            XCTAssertLessThan(outcomes[0].metrics.last!.amplitudeResidual, 0.7 * outcomes[0].metrics[0].amplitudeResidual,
                              "\(name): the error did not fall")
        }
    }

    /// With FFTW's multi-threaded plan for the transforms the bands still run between them (helpers that
    /// find no job for ~55 µs sleep, leaving the cores to the plan's threads).
    func testBandsAroundAMultiThreadedTransform() throws {
        let harness = EngineHarness()
        let single = harness.setUp(threads: 2, sequentialPlanThreaded: false, rowBands: 2)
        let threaded = harness.setUp(threads: 2, sequentialPlanThreaded: true, rowBands: 2)
        XCTAssertTrue(threaded.backend.sequentialPlanIsThreaded)
        var first = RandomSource(seed: 3), second = RandomSource(seed: 3)
        let expected = run(ExtendedPIE(), on: single, iterations: 3, random: &first)
        let found = run(ExtendedPIE(), on: threaded, iterations: 3, random: &second)
        // Another FFT algorithm rounds differently: the same iterates to within Float rounding.
        XCTAssertEqual(found.last!.amplitudeResidual, expected.last!.amplitudeResidual,
                       accuracy: 1e-4 * expected.last!.amplitudeResidual)
        let difference = zip(single.model.object.floats(), threaded.model.object.floats()).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(difference, 1e-3)
    }

    /// Never more bands than cores, at most 8, at least 8 rows each; one thread has none.
    func testBandCountFollowsThreadsWithinTheCores() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        XCTAssertEqual(CPUBackend.rowBands(threads: 1, height: 128), 1)
        XCTAssertEqual(CPUBackend.rowBands(threads: 2, height: 128), min(2, cores))
        XCTAssertEqual(CPUBackend.rowBands(threads: 64, height: 128), min(8, cores))
        XCTAssertEqual(CPUBackend.rowBands(threads: 64, height: 16), min(2, cores))
    }

    /// Sweeps whose thread got less than its fair share of a core run alone for 1, 2, 4 … 16 sweeps before
    /// the helpers are tried again; a fair sweep with the helpers starts the wait over at 1.
    func testHelpersStepAsideWhileTheCoresAreShared() {
        /// The numbers of sweeps run alone between sweeps with the helpers, over `sweeps` sweeps in which
        /// every sweep with the helpers reports `share`.
        func gaps(_ policy: inout RowBandPolicy, sweeps: Int, share: Double) -> [Int] {
            var gaps: [Int] = [], alone = 0
            for _ in 0..<sweeps {
                if policy.useHelpers() {
                    if alone > 0 { gaps.append(alone) }
                    alone = 0
                    policy.record(cpuShare: share)
                } else {
                    alone += 1
                }
            }
            return gaps
        }
        var policy = RowBandPolicy()
        XCTAssertEqual(gaps(&policy, sweeps: 10, share: 0.98), [], "cores of their own: the helpers every sweep")
        XCTAssertEqual(gaps(&policy, sweeps: 70, share: 0.5), [1, 2, 4, 8, 16, 16], "shared cores: a doubling wait")
        // The next probing sweep finds the cores free again: the wait starts over.
        while !policy.useHelpers() {}
        policy.record(cpuShare: 0.98)
        XCTAssertEqual(gaps(&policy, sweeps: 8, share: 0.5), [1, 2], "after a fair sweep the wait starts at 1")
    }

    private func run(_ engine: any ReconstructionEngine, on setup: EngineHarness.Setup, iterations: Int,
                     random: inout RandomSource) -> [FourierMetrics] {
        func iterate<Engine: ReconstructionEngine>(_ engine: Engine) -> [FourierMetrics] {
            var engine = engine
            engine.start(on: setup.backend)
            defer { engine.finish(on: setup.backend) }
            return (1...iterations).map { iteration in
                let metrics = engine.iterate(on: setup.backend, iteration: iteration, random: &random)
                setup.backend.refineBackground()
                return metrics
            }
        }
        return iterate(engine)
    }
}
