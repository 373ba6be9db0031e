import PtychoCore
import XCTest

/// The relaxed modulus projection's "within the bound" case: the far field is left exactly as it is and the
/// CPU worker rebuilds the input wave instead of transforming back (`CPUFrameWorker.propagateBackward`).
final class NoiseBoundTests: XCTestCase {
    private func simulate() -> (DiffractionDataset, SimulationTruth) {
        var parameters = PtychographySimulation.Parameters(frameSize: 64, positionCount: 60)
        parameters.dose = 1e5
        parameters.seed = 4
        return PtychographySimulation.run(parameters)
    }

    /// Within its bound a frame's far field comes back bit for bit (not even scaled by 1/n) and the kernel
    /// says so; beyond it the far field is projected.
    func testTheKernelLeavesAFrameWithinItsBoundUntouched() {
        let (dataset, truth) = simulate()
        let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                        frameHeight: 64, frameWidth: 64)
        let data = MeasuredData(consuming: dataset, threads: 1)
        let shape = FrameShape(height: 64, width: 64, modes: 1)
        let terms = RealArray(shape: [64, 64]), rows = RealArray(shape: [4, 64])
        let scratch = KernelScratch(frame: terms.pointer, rowA: rows.slice(0), rowB: rows.slice(1),
                                    rowC: rows.slice(2), rowD: rows.slice(3))
        let plan = FFTPlan2D(height: 64, width: 64, effort: .estimate)
        withExtendedLifetime((truth, data, terms, rows)) {
            let j = 7
            let wave = ComplexArray(shape: [1, 64, 64])
            // A wave 10 % off the truth's exit wave: far outside the noise, well inside a huge bound.
            FrameKernels.combineExitWaves(probe: truth.probe.pointer,
                                          patch: ObjectPatch(object: truth.object.pointer, objectWidth: placement.objectWidth,
                                                             row: placement.rows[j], column: placement.columns[j]),
                                          exitWaves: nil, weight: 1, output: wave.pointer, shape: shape)
            for i in 0..<(2 * wave.count) { wave.storage[i] *= 1.1 }
            plan.forward(wave.pointer)
            let farField = wave.floats()
            for (bound, projected) in [(Float(1e12), false), (data.noiseLevel.storage[j], true)] {
                let field = ComplexArray(copying: wave)
                var metrics = FourierMetrics()
                let changed = FrameKernels.modulusProjection(farField: field.pointer,
                                                             amplitudes: data.amplitudes.pointer + j * shape.pixels,
                                                             mask: data.mask.pointer, shape: shape, noiseBound: bound,
                                                             scratch: scratch, metrics: &metrics)
                XCTAssertEqual(changed, projected, "bound \(bound)")
                XCTAssertEqual(field.floats() == farField, !projected, "bound \(bound)")
                XCTAssertGreaterThan(metrics.amplitudeResidual, 0, "the metrics are taken either way")
            }
        }
    }

    /// A DM iteration in which every frame is within the bound ends with ψ = P·O (a + b·c = 1 for DM and
    /// RAAR), through the rebuilt input wave instead of the inverse transform; its projection distance is
    /// Σ|(1 − c)(ψ − P·O)|², as the transformed wave would give.
    func testFramesWithinTheBoundEndAtTheOverlapModel() throws {
        for coefficients in [ProjectionCoefficients.differenceMap(alpha: 1),
                             .relaxedAveragedAlternatingReflections(beta: 0.75)] {
            let (dataset, truth) = simulate()
            let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                            frameHeight: 64, frameWidth: 64)
            let model = ReconstructionModel(object: ComplexArray(copying: truth.object),
                                            probe: ComplexArray(copying: truth.probe), placement: placement)
            let backend = CPUBackend(model: model, data: MeasuredData(consuming: dataset, threads: 2), threads: 2,
                                     planningEffort: .estimate)
            backend.initialiseExitWaves()
            let waves = try XCTUnwrap(backend.exitWaves)
            let overlap = waves.floats()                       // ψ = P·O after initialisation
            var random = RandomSource(seed: 3)
            var expectedDistance = 0.0
            let c = Double(coefficients.c)
            for i in 0..<(2 * waves.count) {
                let change = 0.05 * Float(random.normal()) * abs(overlap[i])
                waves.storage[i] += change
                expectedDistance += (1 - c) * (1 - c) * Double(change) * Double(change)
            }
            backend.resetOverlapSums()
            let metrics = backend.sweep(.parallel) { operators, frames in
                operators.combineExitWaves(frames, weight: coefficients.c, fromStoredExitWaves: true)
                operators.propagateForward(frames)
                operators.projectModulus(frames, relaxation: 1e12)
                operators.propagateBackward(frames)
                operators.updateExitWaves(frames, a: coefficients.a, b: coefficients.b)
            }
            let after = waves.floats(), scale = overlap.map(abs).max()!
            var worst: Float = 0
            for i in after.indices { worst = max(worst, abs(after[i] - overlap[i])) }
            XCTAssertLessThan(worst, 1e-5 * scale, "\(coefficients)")
            XCTAssertEqual(metrics.projectionDistance, expectedDistance, accuracy: 1e-3 * expectedDistance, "\(coefficients)")
        }
    }
}
