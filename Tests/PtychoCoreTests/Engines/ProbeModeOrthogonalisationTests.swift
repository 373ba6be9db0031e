import PtychoCore
import XCTest

/// Probe-mode orthogonalisation: the change of basis itself (orthogonal, ordered, same incoherent sum),
/// the backend's pairing of DM's exit waves with the modes, and a 2-mode reconstruction's power split.
final class ProbeModeOrthogonalisationTests: XCTestCase {
    /// `modes` non-orthogonal random modes of `size²` pixels with unequal, unordered powers.
    private func randomModes(_ modes: Int, size: Int, seed: UInt64) -> ComplexArray {
        var random = RandomSource(seed: seed)
        let probe = ComplexArray(shape: [modes, size, size])
        let shared = (0..<(2 * size * size)).map { _ in Float(random.normal()) }
        for k in 0..<modes {
            let scale = Float(k == 1 ? 3 : 1) / Float(k + 1)
            let p = probe.slice(k)
            // A common component makes the modes strongly correlated (far from orthogonal).
            for i in 0..<(2 * size * size) { p[i] = scale * (shared[i] + 0.7 * Float(random.normal())) }
        }
        return probe
    }

    private func inner(_ probe: ComplexArray, _ a: Int, _ b: Int) -> (re: Double, im: Double) {
        let p = probe.slice(a), q = probe.slice(b)
        var re = 0.0, im = 0.0
        for i in 0..<probe.sliceCount {
            re += Double(p[2 * i] * q[2 * i] + p[2 * i + 1] * q[2 * i + 1])
            im += Double(p[2 * i] * q[2 * i + 1] - p[2 * i + 1] * q[2 * i])
        }
        return (re, im)
    }

    private func incoherentSum(_ probe: ComplexArray) -> [Double] {
        let n = probe.sliceCount
        var sum = [Double](repeating: 0, count: n)
        for k in 0..<probe.shape[0] {
            let p = probe.slice(k)
            for i in 0..<n { sum[i] += Double(p[2 * i] * p[2 * i] + p[2 * i + 1] * p[2 * i + 1]) }
        }
        return sum
    }

    func testModesBecomeOrthogonalOrderedByPowerWithTheSameIncoherentSum() {
        for modes in [2, 3, 5] {
            let probe = randomModes(modes, size: 32, seed: UInt64(modes))
            let before = incoherentSum(probe)
            let orthogonaliser = ProbeModeOrthogonaliser(modes: modes, pixels: 32 * 32)
            XCTAssertTrue(orthogonaliser.orthogonalise(probe.pointer))
            let norms = (0..<modes).map { inner(probe, $0, $0).re.squareRoot() }
            for a in 0..<modes {
                for b in (a + 1)..<max(a + 1, modes) {
                    let g = inner(probe, a, b)
                    XCTAssertLessThanOrEqual((g.re * g.re + g.im * g.im).squareRoot(), 1e-4 * norms[a] * norms[b],
                                             "\(modes) modes: ⟨P_\(a), P_\(b)⟩")
                }
            }
            XCTAssertEqual(norms, norms.sorted(by: >), "\(modes) modes: ordered by decreasing power")
            for a in 0..<modes {
                XCTAssertEqual(Double(orthogonaliser.powers[a]), norms[a] * norms[a], accuracy: 1e-4 * norms[0] * norms[0])
            }
            let after = incoherentSum(probe)
            let scale = before.max()!
            for i in before.indices { XCTAssertEqual(after[i], before[i], accuracy: 1e-5 * scale) }
        }
    }

    /// Modes that are already orthogonal and in order come back as they were: no arbitrary phases.
    func testOrthogonalOrderedModesAreLeftUnchanged() {
        let probe = randomModes(3, size: 16, seed: 7)
        let orthogonaliser = ProbeModeOrthogonaliser(modes: 3, pixels: 256)
        orthogonaliser.orthogonalise(probe.pointer)
        let once = probe.floats()
        orthogonaliser.orthogonalise(probe.pointer)
        let scale = once.map(abs).max()!
        for (a, b) in zip(once, probe.floats()) { XCTAssertEqual(a, b, accuracy: 1e-4 * scale) }
    }

    /// DM's exit waves get the probe's change of basis: ψ_jk = P_k·O_j still holds mode by mode.
    func testBackendKeepsExitWavesPairedWithTheModes() throws {
        var parameters = PtychographySimulation.Parameters(frameSize: 32, positionCount: 12)
        parameters.seed = 4
        let (dataset, truth) = PtychographySimulation.run(parameters)
        let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                        frameHeight: 32, frameWidth: 32)
        let model = ReconstructionModel(object: ComplexArray(copying: truth.object), probe: randomModes(2, size: 32, seed: 3),
                                        placement: placement)
        let backend = CPUBackend(model: model, data: MeasuredData(consuming: dataset, threads: 2), threads: 2,
                                 planningEffort: .estimate)
        backend.initialiseExitWaves()
        let probeBefore = model.probe.floats()
        backend.orthogonaliseProbeModes()
        XCTAssertNotEqual(model.probe.floats(), probeBefore, "the modes were not orthogonal: they must change")
        let waves = try XCTUnwrap(backend.exitWaves)
        let expected = ComplexArray(shape: [2, 32, 32])
        for j in 0..<12 {
            FrameKernels.combineExitWaves(probe: model.probe.pointer, patch: model.patch(j), exitWaves: nil, weight: 1,
                                          output: expected.pointer, shape: model.frameShape)
            let stored = waves.slice(j), wanted = expected.floats()
            let scale = wanted.map(abs).max()!
            for i in 0..<wanted.count { XCTAssertEqual(stored[i], wanted[i], accuracy: 1e-4 * scale, "frame \(j)") }
        }
    }

    /// A 2-mode simulation (the extra mode holds 20 % of the power) reconstructed with 2 modes: the
    /// recorded power split matches the truth.
    func testTwoModeSimulationIsRecoveredWithTheRightPowerSplit() throws {
        var experiment = EngineTestCase()
        experiment.modes = 2
        experiment.simulatedModes = 2
        experiment.extraModePowerFraction = 0.2
        let outcome = try experiment.run(plan: "DM:40,ePIE:20")
        let fractions = try XCTUnwrap(outcome.history.last?.modePower)
        XCTAssertEqual(fractions.count, 2)
        XCTAssertEqual(Double(fractions.reduce(0, +)), 1, accuracy: 1e-5)
        XCTAssertTrue(outcome.history.allSatisfy { $0.modePower.count == 2 && $0.modePower[0] >= $0.modePower[1] })
        print("mode power split: \(fractions), NRMSE \(outcome.end)")
        XCTAssertEqual(Double(fractions[0]), 0.8, accuracy: 0.05 * 0.8)
        XCTAssertEqual(Double(fractions[1]), 0.2, accuracy: 0.05 * 0.2)
    }
}
