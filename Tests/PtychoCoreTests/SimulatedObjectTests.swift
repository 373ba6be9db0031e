import Foundation
import PtychoCore
import XCTest

final class SimulatedObjectTests: XCTestCase {
    func testRangesDeterminismAndIndependentPhaseAndAmplitude() {
        let model = SimulatedObject()
        let object = model.render(height: 120, width: 140, seed: 4)
        XCTAssertEqual(object.shape, [120, 140])
        var amplitudes: [Double] = [], phases: [Double] = []
        for index in 0..<object.count {
            let (re, im) = object[flat: index]
            amplitudes.append(Double((re * re + im * im).squareRoot()))
            phases.append(Double(atan2(im, re)))
        }
        XCTAssertGreaterThanOrEqual(amplitudes.min()!, 0.6 - 1e-6)
        XCTAssertLessThanOrEqual(amplitudes.max()!, 1.0 + 1e-6)
        XCTAssertGreaterThan(amplitudes.max()! - amplitudes.min()!, 0.2, "amplitude has contrast")
        XCTAssertGreaterThanOrEqual(phases.min()!, -1e-6)
        XCTAssertLessThanOrEqual(phases.max()!, 1 + 1e-6)
        XCTAssertGreaterThan(phases.max()! - phases.min()!, 0.9, "phase has the star's contrast")
        XCTAssertLessThan(abs(correlation(amplitudes, phases)), 0.3, "phase and amplitude are different patterns")

        XCTAssertEqual(FrameMeasure.floats(object), FrameMeasure.floats(model.render(height: 120, width: 140, seed: 4)))
        XCTAssertNotEqual(FrameMeasure.floats(object), FrameMeasure.floats(model.render(height: 120, width: 140, seed: 5)))
    }

    private func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let meanA = a.reduce(0, +) / Double(a.count), meanB = b.reduce(0, +) / Double(b.count)
        var ab = 0.0, aa = 0.0, bb = 0.0
        for index in 0..<a.count {
            ab += (a[index] - meanA) * (b[index] - meanB)
            aa += (a[index] - meanA) * (a[index] - meanA)
            bb += (b[index] - meanB) * (b[index] - meanB)
        }
        return ab / (aa * bb).squareRoot()
    }
}
