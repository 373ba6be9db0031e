import PtychoCore
import XCTest

final class FFTPlanTests: XCTestCase {
    private func randomFrames(_ count: Int, _ height: Int, _ width: Int, seed: UInt64) -> ComplexArray {
        var random = RandomSource(seed: seed)
        let array = ComplexArray(shape: [count, height, width])
        for i in 0..<(2 * array.count) { array.storage[i] = Float(random.normal()) }
        return array
    }

    func testForwardThenInverseReturnsTheInputScaledByPixelCount() {
        for (height, width, batch, threads) in [(64, 64, 1, 1), (48, 80, 3, 2), (17, 31, 2, 1)] {
            let input = randomFrames(batch, height, width, seed: 7)
            let data = ComplexArray(copying: input)
            let plan = FFTPlan2D(height: height, width: width, batch: batch, threads: threads, effort: .estimate)
            plan.forward(data.pointer)
            plan.inverse(data.pointer)
            let n = Float(height * width)
            var worst: Float = 0
            for i in 0..<(2 * data.count) { worst = max(worst, abs(data.storage[i] / n - input.storage[i])) }
            XCTAssertLessThan(worst, 1e-5, "round trip \(height)x\(width)x\(batch)")
        }
    }

    func testParsevalHoldsForTheUnnormalisedForwardTransform() {
        let data = randomFrames(2, 64, 96, seed: 3)
        let before = data.totalPower()
        FFTPlan2D(height: 64, width: 96, batch: 2, effort: .measure).forward(data.pointer)
        // Σ|F x|² = n · Σ|x|² for FFTW's unnormalised transform.
        XCTAssertEqual(data.totalPower() / Double(64 * 96), before, accuracy: before * 1e-5)
    }

    func testForwardTransformOfADeltaIsFlatAndOfAConstantIsADelta() {
        let delta = ComplexArray(shape: [1, 8, 8])
        delta[flat: 0] = (1, 0)
        let plan = FFTPlan2D(height: 8, width: 8, effort: .estimate)
        plan.forward(delta.pointer)
        for i in 0..<64 { XCTAssertEqual(delta[flat: i].re, 1, accuracy: 1e-6); XCTAssertEqual(delta[flat: i].im, 0, accuracy: 1e-6) }
        let flat = ComplexArray(shape: [1, 8, 8])
        flat.fill(re: 1)
        plan.forward(flat.pointer)
        XCTAssertEqual(flat[flat: 0].re, 64, accuracy: 1e-4)
        for i in 1..<64 { XCTAssertEqual(flat[flat: i].re, 0, accuracy: 1e-4) }
    }

    func testFFTShiftMovesTheCentreToTheOriginAndBack() {
        for (height, width) in [(8, 8), (7, 9)] {
            let frame = ComplexArray(shape: [height, width])
            frame[flat: (height / 2) * width + width / 2] = (5, 1)
            let scratch = ComplexArray(shape: [height, width])
            FFTShift.apply(frame.pointer, height: height, width: width, scratch: scratch.pointer, inverse: true)
            XCTAssertEqual(frame[flat: 0].re, 5)
            FFTShift.apply(frame.pointer, height: height, width: width, scratch: scratch.pointer)
            XCTAssertEqual(frame[flat: (height / 2) * width + width / 2].re, 5)
            XCTAssertEqual(frame.totalPower(), 26, accuracy: 1e-6)
        }
    }

    func testFastLogarithmMatchesLibm() {
        var worst: Float = 0
        var x: Float = 1e-20
        while x < 1e20 {
            worst = max(worst, abs(fastLogarithm(x) - Float(log(Double(x)))) / max(1, abs(Float(log(Double(x))))))
            x *= 1.37
        }
        XCTAssertLessThan(worst, 2e-6)
    }

    func testVectorFastLogarithmMatchesLibm() {
        var worst: Float = 0
        var x: Float = 1e-30
        while x < 1e30 {
            let lanes = SIMD8<Float>((0..<8).map { x * (1 + Float($0) * 0.0427) })
            let result = fastLogarithm(lanes)
            for lane in 0..<8 {
                let exact = Float(log(Double(lanes[lane])))
                worst = max(worst, abs(result[lane] - exact) / max(1, abs(exact)))
            }
            x *= 1.37
        }
        XCTAssertLessThan(worst, 3e-7)
    }
}
