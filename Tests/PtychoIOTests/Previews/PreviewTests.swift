import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

final class PreviewTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "ptychite-previews-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Set PTYCHITE_KEEP_PREVIEWS=1 to keep the written previews for a look (the path is printed).
    override func tearDownWithError() throws {
        if ProcessInfo.processInfo.environment["PTYCHITE_KEEP_PREVIEWS"] != nil {
            print("previews kept in \(directory)")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// A small result: a 60 × 80 object with a phase bump, a Gaussian illumination, two 32 × 32 probe
    /// modes and a two-stage decreasing error history.
    private func sampleResult() -> ReconstructionResult {
        let (h, w) = (60, 80)
        let object = ComplexArray(shape: [1, h, w])
        let illumination = RealArray(shape: [h, w])
        for r in 0..<h {
            for c in 0..<w {
                let y = Double(r - h / 2) / 12, x = Double(c - w / 2) / 16
                let phase = 1.5 * exp(-(y * y + x * x)), amplitude = 0.9 - 0.2 * exp(-(y * y + x * x))
                object[flat: r * w + c] = (Float(amplitude * cos(phase)), Float(amplitude * sin(phase)))
                illumination[flat: r * w + c] = Float(exp(-(y * y + x * x) / 4))
            }
        }
        let probe = ComplexArray(shape: [2, 32, 32])
        for k in 0..<2 {
            for r in 0..<32 {
                for c in 0..<32 {
                    let y = Double(r - 16) / 6, x = Double(c - 16) / 6, a = exp(-(y * y + x * x) / 2)
                    let phase = Double(k) * atan2(y, x)
                    probe[flat: (k * 32 + r) * 32 + c] = (Float(a * cos(phase)), Float(a * sin(phase)))
                }
            }
        }
        let history = (1...60).map { i in
            IterationRecord(iteration: i, engine: i <= 20 ? "DM" : "ML", fourierError: 0.5 * exp(-Double(i) / 15),
                            poissonNLL: 0, seconds: Double(i))
        }
        let geometry = ExperimentGeometry(energy: 1.3e-15, distance: 2, detectorPixelSizeY: 75e-6,
                                          detectorPixelSizeX: 75e-6, frameHeight: 32, frameWidth: 32)
        let positions = ScanPositions(y: [0], x: [0])
        return ReconstructionResult(
            object: object, objectPixelSize: (1e-8, 1e-8), illumination: illumination, probe: probe,
            modePower: [0.8, 0.2], initialPositions: positions, refinedPositions: positions, history: history,
            configurationJSON: "{}", provenance: Provenance(version: "test", command: "", date: "", device: "cpu"),
            geometry: geometry, translationConvention: .sample)
    }

    func testWritesFourPreviewsBesideTheResult() throws {
        let paths = try PreviewWriter.writePreviews(for: sampleResult(), resultPath: directory + "/run.h5")
        XCTAssertEqual(paths, ["_object_phase.png", "_object_amplitude.png", "_probe.png", "_error.png"]
            .map { directory + "/run" + $0 })
        let phase = try PNGFile.read(paths[0]), amplitude = try PNGFile.read(paths[1])
        let probe = try PNGFile.read(paths[2]), error = try PNGFile.read(paths[3])
        // 60 × 80 enlarged 5 times (smallest integer factor reaching 400 on the long side).
        for image in [phase, amplitude] {
            XCTAssertEqual(image.width, 400)
            XCTAssertEqual(image.height, 300)
            XCTAssertEqual(image.format, .grey)
        }
        XCTAssertEqual(probe.format, .rgb)
        XCTAssertGreaterThanOrEqual(max(probe.width, probe.height), 400)
        XCTAssertLessThanOrEqual(max(probe.width, probe.height), 1600)
        XCTAssertGreaterThan(probe.width, 2 * probe.height)
        XCTAssertEqual(error.format, .rgb)
        XCTAssertGreaterThanOrEqual(error.width, 400)
        // The phase bump is the brightest part of the phase image, the amplitude dip the darkest.
        XCTAssertGreaterThan(phase.colour(row: 150, column: 200).r, phase.colour(row: 5, column: 5).r)
        XCTAssertLessThan(amplitude.colour(row: 150, column: 200).r, amplitude.colour(row: 5, column: 5).r)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: directory)).count, 4)
    }

    func testComplexColourMapping() {
        XCTAssertTrue(PreviewRenderer.complexColour(re: 1, im: 0, maxAmplitude: 1) == (255, 0, 0))
        XCTAssertTrue(PreviewRenderer.complexColour(re: 0, im: 0, maxAmplitude: 1) == (0, 0, 0))
        let third = 2 * Float.pi / 3
        XCTAssertTrue(PreviewRenderer.complexColour(re: cos(third), im: sin(third), maxAmplitude: 1) == (0, 255, 0))
        XCTAssertTrue(PreviewRenderer.complexColour(re: cos(-third), im: sin(-third), maxAmplitude: 1) == (0, 0, 255))
        let half = PreviewRenderer.complexColour(re: 0.5, im: 0, maxAmplitude: 1)
        XCTAssertTrue(half == (128, 0, 0))
    }

    func testProbeCentreOfAFlatPhaseModeIsBrightRed() {
        let probe = ComplexArray(shape: [1, 40, 40])
        probe.fill(re: 2)
        let image = PreviewRenderer.probeModes(probe)
        XCTAssertTrue(image.colour(row: image.height / 2, column: image.width / 2) == (255, 0, 0))
    }

    func testErrorCurveIsDrawnAndFallsForADecreasingError() {
        let history = (1...100).map {
            IterationRecord(iteration: $0, engine: "ePIE", fourierError: pow(10, -Double($0) / 40),
                            poissonNLL: 0, seconds: 0)
        }
        let image = PreviewRenderer.errorCurve(history)
        // Line pixels are the only saturated ones: axes, ticks and grid are grey levels.
        var rowsByColumn: [Int: [Int]] = [:]
        for r in 0..<image.height {
            for c in 0..<image.width {
                let (red, green, blue) = image.colour(row: r, column: c)
                if red != green || green != blue { rowsByColumn[c, default: []].append(r) }
            }
        }
        XCTAssertGreaterThan(rowsByColumn.count, image.width / 2)
        let columns = rowsByColumn.keys.sorted()
        let leftRow = rowsByColumn[columns.first!]!.min()!, rightRow = rowsByColumn[columns.last!]!.min()!
        // Rows grow downwards: a falling curve ends lower (larger row) than it starts.
        XCTAssertGreaterThan(rightRow, leftRow + image.height / 3)
    }

    func testErrorCurveOfEmptyHistoryIsBareAxes() {
        let image = PreviewRenderer.errorCurve([])
        XCTAssertEqual(image.width, 800)
        XCTAssertTrue(image.pixels.contains(0))
    }
}
