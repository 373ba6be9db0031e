import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

final class ResultFileTests: XCTestCase {
    static func sampleResult(probeModes: Int = 2) -> ReconstructionResult {
        let object = ComplexArray(shape: [1, 7, 9])
        for index in 0..<object.count { object[flat: index] = (Float(index) * 0.1 + 1e-7, -Float(index) / 7) }
        let illumination = RealArray(shape: [7, 9], values: (0..<63).map { Float($0) * 1.5 + 0.125 })
        let probe = ComplexArray(shape: [probeModes, 3, 4])
        for index in 0..<probe.count { probe[flat: index] = (Float(index).squareRoot(), 1 / Float(index + 3)) }
        let initial = ScanPositions(y: [1e-6, -2.5e-7, 3.125e-6], x: [0, 1.1e-6, -4e-6])
        let refined = ScanPositions(y: [1.01e-6, -2.4e-7, 3.1e-6], x: [1e-9, 1.09e-6, -3.99e-6])
        let history = [
            IterationRecord(iteration: 1, engine: "dm", fourierError: 0.5, poissonNLL: 12.25, seconds: 0.031),
            IterationRecord(iteration: 2, engine: "dm", fourierError: 0.25, poissonNLL: 3.5e-3, seconds: 0.062),
            IterationRecord(iteration: 3, engine: "ml-poisson", fourierError: 1e-300, poissonNLL: 1.0 / 3,
                            seconds: 0.1),
        ]
        return ReconstructionResult(
            object: object, objectPixelSize: (y: 1.234e-8, x: 2.5e-8), illumination: illumination, probe: probe,
            modePower: probeModes == 2 ? [0.75, 0.25] : [Float](repeating: 1 / Float(probeModes), count: probeModes),
            initialPositions: initial, refinedPositions: refined, history: history,
            configurationJSON: #"{"engines":[{"name":"dm","iterations":2}],"note":"ünïcode ✓"}"#,
            provenance: Provenance(version: "0.1.0", command: "ptychite reconstruct data.cxi -o out.cxi",
                                   date: "2026-01-02T03:04:05Z", device: "cpu (2 threads)"),
            geometry: Fixtures.geometry, translationConvention: .probe)
    }

    func testEveryOutputDatasetRoundTripsExactly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("result.cxi")
        let written = Self.sampleResult()
        try ResultWriter().write(written, to: path)
        let read = try ResultReader().read(path: path)
        XCTAssertEqual(read.object.shape, [1, 7, 9])
        XCTAssertEqual(floats(read.object), floats(written.object))
        XCTAssertEqual(read.objectPixelSize.y, written.objectPixelSize.y)
        XCTAssertEqual(read.objectPixelSize.x, written.objectPixelSize.x)
        XCTAssertEqual(read.illumination.shape, [7, 9])
        XCTAssertEqual(floats(read.illumination), floats(written.illumination))
        XCTAssertEqual(read.probe.shape, [2, 3, 4])
        XCTAssertEqual(floats(read.probe), floats(written.probe))
        XCTAssertEqual(read.modePower, written.modePower)
        XCTAssertEqual(read.initialPositions, written.initialPositions)
        XCTAssertEqual(read.refinedPositions, written.refinedPositions)
        XCTAssertEqual(read.history, written.history)
        XCTAssertEqual(read.configurationJSON, written.configurationJSON)
        XCTAssertEqual(read.provenance, written.provenance)
        XCTAssertEqual(read.geometry, written.geometry.withFrame(height: 3, width: 4))
        XCTAssertEqual(read.translationConvention, .probe)
        XCTAssertEqual(try directory.contents(), ["result.cxi"])
    }

    func testOutputFileHasTheSpecLayoutAndTypes() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("layout.cxi")
        try ResultWriter().write(Self.sampleResult(), to: path)
        let file = try HDF5File.open(path)
        XCTAssertEqual(try file.readScalar("/cxi_version"), 160)
        XCTAssertEqual(try file.dataset("/cxi_version").elementKind.description, "int64")
        let expectedKinds = [
            "/entry_1/object/data": "compound{r,i}", "/entry_1/object/x_pixel_size": "float64",
            "/entry_1/object/y_pixel_size": "float64", "/entry_1/object/illumination": "float32",
            "/entry_1/probe/data": "compound{r,i}", "/entry_1/probe/mode_power": "float32",
            "/entry_1/positions/initial": "float64", "/entry_1/positions/refined": "float64",
            "/entry_1/process_1/history/iteration": "int64", "/entry_1/process_1/history/engine": "string",
            "/entry_1/process_1/history/fourier_error": "float64", "/entry_1/process_1/history/llk_poisson": "float64",
            "/entry_1/process_1/history/seconds": "float64", "/entry_1/process_1/configuration": "string",
            "/entry_1/process_1/program": "string", "/entry_1/process_1/version": "string",
            "/entry_1/process_1/command": "string", "/entry_1/process_1/date": "string",
            "/entry_1/process_1/device": "string", "/entry_1/instrument_1/source_1/energy": "float64",
            "/entry_1/instrument_1/detector_1/distance": "float64",
            "/entry_1/instrument_1/detector_1/x_pixel_size": "float64",
            "/entry_1/instrument_1/detector_1/y_pixel_size": "float64",
        ]
        for (objectPath, kind) in expectedKinds {
            XCTAssertEqual(try file.dataset(objectPath).elementKind.description, kind, objectPath)
        }
        XCTAssertEqual(try file.dataset("/entry_1/positions/refined").shape, [3, 2])
        XCTAssertEqual(try file.stringAttribute("signal", of: "/entry_1/object"), "data")
        XCTAssertEqual(try file.stringAttribute("NX_class", of: "/entry_1/object"), "NXdata")
        XCTAssertEqual(try file.stringAttribute("translation_convention", of: "/entry_1/positions"), "probe")
        XCTAssertEqual(try file.readString("/entry_1/process_1/program"), "ptychite")
    }

    func testEmptyHistoryAndTwoDimensionalObjectAreWritten() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("empty-history.cxi")
        var result = Self.sampleResult(probeModes: 1)
        result.history = []
        result.object = ComplexArray(shape: [7, 9])
        try ResultWriter().write(result, to: path)
        let read = try ResultReader().read(path: path)
        XCTAssertEqual(read.history, [])
        XCTAssertEqual(read.object.shape, [1, 7, 9])
        XCTAssertEqual(try ResultReader().readProbe(path: path).shape, [1, 3, 4])
    }

    func testFailedWriteLeavesNoFileAndNoTemporary() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("failed.cxi")
        var result = Self.sampleResult()
        result.modePower = [1]
        XCTAssertThrowsError(try ResultWriter().write(result, to: path)) { error in
            XCTAssertEqual("\(error)", "\(path): /entry_1/probe/mode_power: 1 values for 2 probe modes")
        }
        XCTAssertEqual(try directory.contents(), [])
    }

    func testFailedWriteKeepsThePreviousFileIntact() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("checkpoint.cxi")
        try ResultWriter().write(Self.sampleResult(), to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var broken = Self.sampleResult()
        broken.illumination = RealArray(shape: [2, 2])
        XCTAssertThrowsError(try ResultWriter().write(broken, to: path))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        XCTAssertEqual(try directory.contents(), ["checkpoint.cxi"])
    }

    func testAbortedBodyRemovesTheTemporaryAndAMissingDirectoryFailsCleanly() throws {
        let directory = try TemporaryDirectory()
        struct Abort: Error {}
        XCTAssertThrowsError(try AtomicHDF5Write.write(to: directory.file("aborted.h5")) { file in
            try file.write([1.0, 2.0], to: "/partial", as: .float64)
            throw Abort()
        })
        XCTAssertEqual(try directory.contents(), [])
        let nowhere = directory.file("no/such/dir/out.cxi")
        XCTAssertThrowsError(try ResultWriter().write(Self.sampleResult(), to: nowhere)) { error in
            XCTAssertTrue("\(error)".hasPrefix(nowhere), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
        XCTAssertEqual(try directory.contents(), [])
    }

    func testResultMissingADatasetIsAClearInputError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("incomplete.cxi")
        try ResultWriter().write(Self.sampleResult(), to: path)
        try Fixtures.modify(path) { try $0.removeLink("/entry_1/positions/refined") }
        assertInputError(try ResultReader().read(path: path),
                         mentions: [path, "/entry_1/positions/refined", "dataset is missing"])
        try Fixtures.modify(path) { try $0.removeLink("/entry_1/probe/data") }
        assertInputError(try ResultReader().readProbe(path: path),
                         mentions: [path, "/entry_1/probe/data", "dataset is missing"])
    }

    func testTruthRoundTripsExactlyAndAcceptsALeadingUnitAxis() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("truth.h5")
        let object = ComplexArray(shape: [5, 6])
        for index in 0..<object.count { object[flat: index] = (Float(index) / 9, Float(30 - index)) }
        let probe = ComplexArray(shape: [1, 3, 3])
        probe.fill(re: 0.5, im: -0.25)
        let truth = SimulationTruth(object: object, probe: probe,
                                    positions: ScanPositions(y: [0, 1e-6], x: [2e-6, -1e-6]),
                                    pixelSize: (y: 1e-8, x: 1.5e-8), originRow: 2.5, originColumn: -0.75)
        try TruthWriter().write(truth, to: path)
        let read = try TruthReader().read(path: path)
        XCTAssertEqual(read.object.shape, [5, 6])
        XCTAssertEqual(floats(read.object), floats(object))
        XCTAssertEqual(floats(read.probe), floats(probe))
        XCTAssertEqual(read.probe.shape, [1, 3, 3])
        XCTAssertEqual(read.positions, truth.positions)
        XCTAssertEqual(read.pixelSize.y, 1e-8)
        XCTAssertEqual(read.pixelSize.x, 1.5e-8)
        XCTAssertEqual(read.originRow, 2.5)
        XCTAssertEqual(read.originColumn, -0.75)

        try Fixtures.modify(path) { file in
            try file.removeLink("/entry_1/object/data")
            let stacked = try file.createDataset("/entry_1/object/data", type: .complex64, shape: [1, 5, 6])
            try stacked.writeComplex(from: object.pointer)
        }
        XCTAssertEqual(floats(try TruthReader().read(path: path).object), floats(object))
        XCTAssertEqual(try directory.contents(), ["truth.h5"])
    }
}

extension ExperimentGeometry {
    func withFrame(height: Int, width: Int) -> ExperimentGeometry {
        var copy = self
        copy.frameHeight = height
        copy.frameWidth = width
        return copy
    }
}
