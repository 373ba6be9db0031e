import PtychoCore
import XCTest

final class ScanPatternTests: XCTestCase {
    func testFermatSpiralStepAndCentre() {
        for (count, step) in [(50, 1e-6), (500, 0.5e-6)] {
            let positions = ScanPattern.fermatSpiral(step: step).positions(count: count, seed: 1)
            XCTAssertEqual(positions.count, count)
            XCTAssertEqual(positions.typicalStep(), step, accuracy: 0.2 * step, "\(count) positions")
            XCTAssertEqual(positions.y.reduce(0, +) / Double(count), 0, accuracy: 1e-3 * step)
            XCTAssertEqual(positions.x.reduce(0, +) / Double(count), 0, accuracy: 1e-3 * step)
        }
    }

    func testJitteredRasterStaysWithinItsBounds() {
        let step = 1e-6, jitter = 0.2, count = 47
        let positions = ScanPattern.jitteredRaster(step: step, jitter: jitter).positions(count: count, seed: 9)
        XCTAssertEqual(positions.count, count)
        let columns = 7, rows = 7 // ceil(√47) columns, then enough rows
        var largestOffset = 0.0
        for index in 0..<count {
            let nodeY = (Double(index / columns) - Double(rows - 1) / 2) * step
            let nodeX = (Double(index % columns) - Double(columns - 1) / 2) * step
            let offsetY = abs(positions.y[index] - nodeY), offsetX = abs(positions.x[index] - nodeX)
            XCTAssertLessThanOrEqual(offsetY, jitter * step * (1 + 1e-12))
            XCTAssertLessThanOrEqual(offsetX, jitter * step * (1 + 1e-12))
            largestOffset = max(largestOffset, offsetY, offsetX)
        }
        XCTAssertGreaterThan(largestOffset, 0.5 * jitter * step, "jitter is applied")
        XCTAssertEqual(positions, ScanPattern.jitteredRaster(step: step, jitter: jitter).positions(count: count, seed: 9))
        XCTAssertNotEqual(positions, ScanPattern.jitteredRaster(step: step, jitter: jitter).positions(count: count, seed: 10))
        let unjittered = ScanPattern.jitteredRaster(step: step, jitter: 0).positions(count: 49, seed: 1)
        XCTAssertEqual(unjittered.typicalStep(), step, accuracy: 1e-12)
    }
}
