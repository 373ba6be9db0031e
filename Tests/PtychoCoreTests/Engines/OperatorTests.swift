import PtychoCore
import XCTest

final class OperatorTests: XCTestCase {
    private func simulate(dose: Double?, modes: Int = 1) -> (DiffractionDataset, SimulationTruth) {
        var parameters = PtychographySimulation.Parameters(frameSize: 64, positionCount: 60)
        parameters.dose = dose
        parameters.probeModeCount = modes
        parameters.deadPixelFraction = 0.01
        parameters.seed = 9
        return PtychographySimulation.run(parameters)
    }

    /// The truth must satisfy the modulus constraint: on noiseless data its Fourier error is rounding noise,
    /// and a sweep with zero step sizes leaves it untouched.
    func testTheTruthHasZeroFourierErrorOnNoiselessData() throws {
        for modes in [1, 2] {
            let (dataset, truth) = simulate(dose: nil, modes: modes)
            let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                            frameHeight: 64, frameWidth: 64)
            let model = ReconstructionModel(object: ComplexArray(copying: truth.object), probe: ComplexArray(copying: truth.probe),
                                            placement: placement)
            let data = MeasuredData(consuming: dataset, threads: 2)
            let backend = CPUBackend(model: model, data: data, threads: 2, planningEffort: .estimate)
            let metrics = backend.sweep(.sequential(Array(0..<data.frameCount))) { operators, frames in
                operators.combineExitWaves(frames, weight: 1, fromStoredExitWaves: false)
                operators.propagateForward(frames)
                operators.projectModulus(frames, relaxation: 0)
                operators.propagateBackward(frames)
                operators.pieUpdate(frames, alpha: 0, beta: 0, updateProbe: false)
            }
            XCTAssertLessThan(data.fourierError(metrics), 1e-9, "\(modes) mode(s)")
            XCTAssertEqual(model.object.floats(), truth.object.floats())
        }
    }

    /// DM's fixed point: with the truth as the model and noiseless data, an iteration changes nothing.
    func testTheTruthIsAFixedPointOfTheDifferenceMap() throws {
        let (dataset, truth) = simulate(dose: nil)
        let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                        frameHeight: 64, frameWidth: 64)
        let model = ReconstructionModel(object: ComplexArray(copying: truth.object), probe: ComplexArray(copying: truth.probe),
                                        placement: placement)
        let reconstruction = Reconstruction(model: model, data: MeasuredData(consuming: dataset, threads: 2),
                                            configuration: ReconstructionConfiguration(), threads: 2, planningEffort: .estimate)
        let history = reconstruction.run(plan: try EnginePlan(parsing: "DM:3"))
        XCTAssertLessThan(history.last!.fourierError, 1e-6)
        let before = truth.object.floats(), after = model.object.floats()
        var worst: Float = 0
        let illumination = model.illumination()
        let limit = 0.2 * illumination.floats().max()!
        for i in 0..<(before.count / 2) where illumination.storage[i] > limit {
            worst = max(worst, abs(after[2 * i] - before[2 * i]), abs(after[2 * i + 1] - before[2 * i + 1]))
        }
        XCTAssertLessThan(worst, 1e-3)
    }

    /// The Poisson likelihood reported per pixel equals a direct double-precision evaluation.
    func testPoissonLikelihoodMatchesADirectEvaluation() throws {
        let (dataset, truth) = simulate(dose: 1e5)
        let intensities = dataset.intensities.floats(), mask = dataset.mask.floats()
        let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                        frameHeight: 64, frameWidth: 64)
        // The model intensity of the truth, computed independently with a unitary FFT.
        let plan = FFTPlan2D(height: 64, width: 64, effort: .estimate)
        let frame = ComplexArray(shape: [64, 64]), scratch = ComplexArray(shape: [64, 64])
        var expected = 0.0, observed = 0.0
        for j in 0..<dataset.frameCount {
            for r in 0..<64 {
                for c in 0..<64 {
                    let o = truth.object[flat: (placement.rows[j] + r) * placement.objectWidth + placement.columns[j] + c]
                    let p = truth.probe[flat: r * 64 + c]
                    frame[flat: r * 64 + c] = (p.re * o.re - p.im * o.im, p.re * o.im + p.im * o.re)
                }
            }
            plan.forward(frame.pointer)
            FFTShift.apply(frame.pointer, height: 64, width: 64, scratch: scratch.pointer)
            for i in 0..<4096 where mask[i] > 0 {
                let model = Double(frame[flat: i].re * frame[flat: i].re + frame[flat: i].im * frame[flat: i].im) / 4096
                let counts = Double(intensities[j * 4096 + i])
                expected += model - counts * log(model + 1e-30) + lgamma(counts + 1)
                observed += 1
            }
        }
        let model = ReconstructionModel(object: ComplexArray(copying: truth.object), probe: ComplexArray(copying: truth.probe),
                                        placement: placement)
        let data = MeasuredData(consuming: dataset, threads: 1)
        let backend = CPUBackend(model: model, data: data, threads: 1, planningEffort: .estimate)
        let metrics = backend.sweep(.parallel) { operators, frames in
            operators.combineExitWaves(frames, weight: 1, fromStoredExitWaves: false)
            operators.propagateForward(frames)
            operators.projectModulus(frames, relaxation: 0)
        }
        XCTAssertEqual(data.poissonNLL(metrics), expected / observed, accuracy: 1e-4 * abs(expected / observed))
    }
}
