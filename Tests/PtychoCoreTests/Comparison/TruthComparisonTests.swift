import PtychoCore
import XCTest

final class TruthComparisonTests: XCTestCase {
    private let pixel = (y: 10e-9, x: 10e-9)

    private func compare(_ recon: ComplexArray, _ truth: ComplexArray,
                         illumination: RealArray? = nil) throws -> ComparisonReport {
        try TruthComparison.compare(reconstruction: recon, reconstructionOrigin: (0, 0), illumination: illumination,
                                    truth: truth, truthOrigin: (0, 0), pixelSize: pixel)
    }

    func testIdenticalObjectsHaveNoError() throws {
        let object = ComparisonFixtures.smoothObject(height: 96, width: 112, seed: 1)
        let report = try compare(object, ComplexArray(copying: object))
        XCTAssertLessThan(report.nrmse, 1e-5)
        XCTAssertEqual(report.shift.row, 0, accuracy: 1e-3)
        XCTAssertEqual(report.shift.column, 0, accuracy: 1e-3)
        XCTAssertEqual(report.globalScale.amplitude, 1, accuracy: 1e-5)
        XCTAssertEqual(report.comparedPixelCount, 96 * 112)
    }

    func testRemovesShiftGlobalPhaseScaleAndRamp() throws {
        let object = ComparisonFixtures.smoothObject(height: 128, width: 128, seed: 2)
        let shifted = FourierShift.shifted(object, by: (1.3, -0.7))
        // About 6 and 10 radians across the field: far too much for a plane fit of the wrapped phase.
        let truth = ComparisonFixtures.withScaleAndRamp(shifted, scale: 0.8, globalPhase: 1.1,
                                                        radiansPerRow: 0.05, radiansPerColumn: -0.08)
        for illumination in [nil, ComparisonFixtures.illumination(height: 128, width: 128)] {
            let report = try compare(object, truth, illumination: illumination)
            XCTAssertLessThan(report.nrmse, 1e-2)
            XCTAssertEqual(report.shift.row, 1.3, accuracy: 0.05)
            XCTAssertEqual(report.shift.column, -0.7, accuracy: 0.05)
            XCTAssertEqual(report.phaseRamp.radiansPerRow, 0.05, accuracy: 1e-3)
            XCTAssertEqual(report.phaseRamp.radiansPerColumn, -0.08, accuracy: 1e-3)
            XCTAssertEqual(report.globalScale.amplitude, 0.8, accuracy: 1e-2)
        }
    }

    func testNoiseRaisesErrorAndCoarsensResolution() throws {
        let object = ComparisonFixtures.smoothObject(height: 128, width: 128, seed: 3)
        let clean = try compare(object, ComplexArray(copying: object))
        let light = try compare(ComparisonFixtures.withNoise(object, sigma: 0.02, seed: 4), object)
        let heavy = try compare(ComparisonFixtures.withNoise(object, sigma: 0.2, seed: 5), object)
        XCTAssertLessThan(clean.nrmse, light.nrmse)
        XCTAssertLessThan(light.nrmse, heavy.nrmse)
        XCTAssertNil(clean.frcResolution)
        let lightResolution = try XCTUnwrap(light.frcResolution)
        let heavyResolution = try XCTUnwrap(heavy.frcResolution)
        XCTAssertGreaterThan(heavyResolution, lightResolution)
        XCTAssertGreaterThanOrEqual(lightResolution, pixel.x)
    }

    func testIdenticalImagesNeverCrossTheThreshold() throws {
        let object = ComparisonFixtures.smoothObject(height: 80, width: 80, seed: 6)
        let report = try compare(object, ComplexArray(copying: object),
                                 illumination: ComparisonFixtures.illumination(height: 80, width: 80))
        XCTAssertNil(report.frcResolution)
        for (c, t) in zip(report.frc.correlation.dropFirst(), report.frc.threshold.dropFirst()) {
            XCTAssertGreaterThanOrEqual(c, t)
        }
        XCTAssertEqual(report.frc.nyquistHalfPeriod, pixel.x, accuracy: 1e-15)
    }

    func testDifferentExtentsAndOriginsAreMatched() throws {
        let truth = ComparisonFixtures.smoothObject(height: 150, width: 140, seed: 7)
        // The reconstruction holds truth rows 10..<110 and columns 20..<120 of the truth.
        let recon = ComplexArray(shape: [1, 100, 100])
        for r in 0..<100 { for c in 0..<100 { recon[flat: r * 100 + c] = truth[flat: (r + 10) * 140 + c + 20] } }
        let report = try TruthComparison.compare(
            reconstruction: recon, reconstructionOrigin: (40, 30), illumination: nil,
            truth: truth, truthOrigin: (50, 50), pixelSize: pixel)
        XCTAssertLessThan(report.nrmse, 1e-5)
        XCTAssertEqual(report.shift.row, 0, accuracy: 1e-3)
        XCTAssertEqual(report.shift.column, 0, accuracy: 1e-3)
        XCTAssertEqual(report.truthRows, 10..<110)
        XCTAssertEqual(report.truthColumns, 20..<120)
    }

    func testDisjointArraysAreRejected() {
        let a = ComparisonFixtures.smoothObject(height: 32, width: 32, seed: 8)
        XCTAssertThrowsError(try TruthComparison.compare(
            reconstruction: a, reconstructionOrigin: (0, 0), illumination: nil,
            truth: a, truthOrigin: (30, 0), pixelSize: pixel))
    }
}
