import PtychoCore
import XCTest

final class RegistrationTests: XCTestCase {
    func testRecoversIntegerShift() {
        let image = ComparisonFixtures.smoothObject(height: 64, width: 72, seed: 11)
        let moved = FourierShift.shifted(image, by: (3, -5))
        let found = SubpixelRegistration.shift(of: image, relativeTo: moved)
        XCTAssertEqual(found.row, 3, accuracy: 0.01)
        XCTAssertEqual(found.column, -5, accuracy: 0.01)
    }

    func testRecoversSubpixelShiftDespiteGlobalPhase() {
        let image = ComparisonFixtures.smoothObject(height: 64, width: 64, seed: 12)
        let moved = ComparisonFixtures.withScaleAndRamp(FourierShift.shifted(image, by: (2.37, -1.71)), scale: 0.5,
                                                        globalPhase: -2, radiansPerRow: 0, radiansPerColumn: 0)
        let found = SubpixelRegistration.shift(of: image, relativeTo: moved)
        XCTAssertEqual(found.row, 2.37, accuracy: 0.02)
        XCTAssertEqual(found.column, -1.71, accuracy: 0.02)
    }

    func testIntegerFourierShiftIsACircularRoll() {
        let image = ComparisonFixtures.smoothObject(height: 16, width: 20, seed: 13)
        let moved = FourierShift.shifted(image, by: (2, -3))
        for r in 0..<16 {
            for c in 0..<20 {
                let source = image[flat: ((r - 2 + 16) % 16) * 20 + (c + 3) % 20], value = moved[flat: r * 20 + c]
                XCTAssertEqual(value.re, source.re, accuracy: 1e-5)
                XCTAssertEqual(value.im, source.im, accuracy: 1e-5)
            }
        }
    }

    func testHalfBitThresholdMatchesFormula() {
        XCTAssertEqual(FourierRingCorrelation.halfBitThreshold(pixelsInRing: 1), 1, accuracy: 1e-4)
        let n = 400.0
        let expected = (0.2071 + 1.9102 / n.squareRoot()) / (1.2071 + 0.9102 / n.squareRoot())
        XCTAssertEqual(FourierRingCorrelation.halfBitThreshold(pixelsInRing: 400), expected, accuracy: 1e-12)
    }
}
