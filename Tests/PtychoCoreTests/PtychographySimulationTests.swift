import PtychoCore
import XCTest

final class PtychographySimulationTests: XCTestCase {
    /// Small enough for debug builds: 64² frames, 50 positions.
    private func smallParameters(seed: UInt64 = 11, dose: Double? = 1e6, modes: Int = 2,
                                 deadPixelFraction: Double = 0) -> PtychographySimulation.Parameters {
        PtychographySimulation.Parameters(frameSize: 64, positionCount: 50, probeModeCount: modes, dose: dose,
                                          deadPixelFraction: deadPixelFraction, seed: seed)
    }

    func testSameSeedGivesIdenticalDataAndOtherSeedDiffers() {
        let first = PtychographySimulation.run(smallParameters(seed: 5))
        let again = PtychographySimulation.run(smallParameters(seed: 5))
        let other = PtychographySimulation.run(smallParameters(seed: 6))
        XCTAssertEqual(FrameMeasure.floats(first.dataset.intensities), FrameMeasure.floats(again.dataset.intensities))
        XCTAssertEqual(FrameMeasure.floats(first.truth.object), FrameMeasure.floats(again.truth.object))
        XCTAssertEqual(FrameMeasure.floats(first.truth.probe), FrameMeasure.floats(again.truth.probe))
        XCTAssertEqual(first.dataset.positions, again.dataset.positions)
        XCTAssertNotEqual(FrameMeasure.floats(first.dataset.intensities), FrameMeasure.floats(other.dataset.intensities))
        XCTAssertNotEqual(FrameMeasure.floats(first.truth.object), FrameMeasure.floats(other.truth.object))
    }

    func testLayoutAndTruthAgreeWithDataset() {
        let parameters = smallParameters()
        let (dataset, truth) = PtychographySimulation.run(parameters)
        XCTAssertEqual(dataset.intensities.shape, [50, 64, 64])
        XCTAssertEqual(dataset.geometry, parameters.geometry)
        XCTAssertEqual(dataset.positions, truth.positions)
        XCTAssertEqual(truth.probe.shape, [2, 64, 64])
        XCTAssertEqual(truth.pixelSize.y, parameters.geometry.objectPixelSize.y)
        let placement = ObjectPlacement(positions: truth.positions, pixelSize: truth.pixelSize,
                                        frameHeight: 64, frameWidth: 64)
        XCTAssertEqual(truth.object.shape, [placement.objectHeight, placement.objectWidth])
        XCTAssertEqual(truth.originRow, placement.originRow)
        XCTAssertEqual(truth.originColumn, placement.originColumn)
        let counts = FrameMeasure.floats(dataset.intensities)
        XCTAssertTrue(counts.allSatisfy { $0 >= 0 && $0.isFinite })
        XCTAssertTrue(counts.allSatisfy { $0 == $0.rounded() }, "photon counts are whole numbers")
    }

    /// Each noiseless frame total equals Σ_k Σ_r |P_k·O_j|² with the truth's probe and object patch
    /// (unitary transform), the patch taken where `originRow/Column` put the position.
    func testNoiselessFramesObeyParseval() {
        let (dataset, truth) = PtychographySimulation.run(smallParameters(dose: nil, modes: 3))
        let objectWidth = truth.object.shape[1]
        // The loops read through raw pointers: keep their owners alive to the end.
        defer { withExtendedLifetime(truth) {} }
        for frame in 0..<dataset.frameCount {
            let top = Int((truth.originRow + truth.positions.y[frame] / truth.pixelSize.y).rounded()) - 32
            let left = Int((truth.originColumn + truth.positions.x[frame] / truth.pixelSize.x).rounded()) - 32
            var expected = 0.0
            for mode in 0..<3 {
                let probe = truth.probe.slice(mode)
                for row in 0..<64 {
                    for column in 0..<64 {
                        let p = 2 * (row * 64 + column), o = 2 * ((top + row) * objectWidth + left + column)
                        let (pr, pi) = (Double(probe[p]), Double(probe[p + 1]))
                        let (or, oi) = (Double(truth.object.pointer[o]), Double(truth.object.pointer[o + 1]))
                        let (re, im) = (pr * or - pi * oi, pr * oi + pi * or)
                        expected += re * re + im * im
                    }
                }
            }
            let measured = FrameMeasure.frameTotal(dataset.intensities, frame: frame)
            XCTAssertEqual(measured, expected, accuracy: 1e-5 * expected, "frame \(frame)")
        }
        XCTAssertEqual(dataset.meanFrameIntensity(), PtychographySimulation.noiselessDose,
                       accuracy: 1e-4 * PtychographySimulation.noiselessDose)
    }

    func testMeanFrameTotalMatchesDose() {
        for dose in [1e4, 1e6] {
            let (dataset, _) = PtychographySimulation.run(smallParameters(dose: dose))
            XCTAssertEqual(dataset.meanFrameIntensity(), dose, accuracy: 0.03 * dose, "dose \(dose)")
        }
    }

    /// The diffraction is centred: the bright disk sits on [ny/2, nx/2].
    func testFramesAreCentred() {
        let (dataset, _) = PtychographySimulation.run(smallParameters(modes: 1))
        let mean = FrameMeasure.meanPattern(dataset.intensities).map(Double.init)
        let centre = FrameMeasure.centroid(mean, height: 64, width: 64)
        XCTAssertEqual(centre.row, 32, accuracy: 0.5)
        XCTAssertEqual(centre.column, 32, accuracy: 0.5)
    }

    func testMaskedPixelsAreZeroInMaskAndData() {
        var parameters = smallParameters(deadPixelFraction: 0.01)
        parameters.detectorGapRows = 40..<43
        parameters.detectorGapColumns = 10..<12
        let (dataset, _) = PtychographySimulation.run(parameters)
        let mask = dataset.mask
        XCTAssertEqual(mask.shape, [64, 64])
        XCTAssertTrue(FrameMeasure.floats(mask).allSatisfy { $0 == 0 || $0 == 1 })
        for row in 40..<43 { for column in 0..<64 { XCTAssertEqual(mask[flat: row * 64 + column], 0) } }
        for row in 0..<64 { for column in 10..<12 { XCTAssertEqual(mask[flat: row * 64 + column], 0) } }
        let stripes = 3 * 64 + 2 * 64 - 3 * 2
        let bad = 64 * 64 - dataset.goodPixelCount
        XCTAssertGreaterThan(bad, stripes)                       // dead pixels on top of the stripes
        XCTAssertLessThanOrEqual(bad, stripes + 41)              // round(0.01 · 4096) dead pixels at most
        for frame in 0..<dataset.frameCount {
            let counts = dataset.intensities.slice(frame)
            for pixel in 0..<(64 * 64) where mask[flat: pixel] == 0 { XCTAssertEqual(counts[pixel], 0) }
        }
        // Good pixels still see the beam.
        XCTAssertGreaterThan(dataset.meanFrameIntensity(), 0.5e6)
    }
}
