import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

final class CXIRoundTripTests: XCTestCase {
    private func assertSameData(_ read: DiffractionDataset, _ written: DiffractionDataset,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(read.geometry, written.geometry, file: file, line: line)
        XCTAssertEqual(read.intensities.shape, written.intensities.shape, file: file, line: line)
        XCTAssertEqual(floats(read.intensities), floats(written.intensities), file: file, line: line)
        XCTAssertEqual(floats(read.mask), floats(written.mask), file: file, line: line)
        XCTAssertEqual(read.positions, written.positions, file: file, line: line)
    }

    func testEveryLayoutAndConventionRoundTripsWhenReadWithTheSameConvention() throws {
        let directory = try TemporaryDirectory()
        let written = Fixtures.dataset()
        for layout in TranslationLayout.allCases {
            for convention in TranslationConvention.allCases {
                let path = directory.file("\(layout == .framesByAxes ? "rows" : "columns")-\(convention).cxi")
                try Fixtures.writeCXI(path, written, writer: CXIWriter(translationLayout: layout,
                                                                      translationConvention: convention))
                let loaded = try CXIReader(translationConvention: convention, framesPerBatch: 2).read(path: path)
                assertSameData(loaded.dataset, written)
                XCTAssertEqual(loaded.warnings, [])
                XCTAssertEqual(loaded.dataset.source, path)
            }
        }
    }

    func testSampleTranslationIsNegatedAndYComesFromAxisOne() throws {
        let directory = try TemporaryDirectory()
        let path = try Fixtures.writeCXI(directory.file("signs.cxi"))
        try Fixtures.replace(path, "/entry_1/sample_1/geometry_1/translation",
                             with: [1, 2, 9, 3, 4, 9, 5, 6, 9, 7, 8, 9, 10, 11, 9], shape: [5, 3])
        let asSample = try CXIReader().read(path: path).dataset.positions
        XCTAssertEqual(asSample.x, [-1, -3, -5, -7, -10])
        XCTAssertEqual(asSample.y, [-2, -4, -6, -8, -11])
        let asProbe = try CXIReader(translationConvention: .probe).read(path: path).dataset.positions
        XCTAssertEqual(asProbe.x, [1, 3, 5, 7, 10])
        XCTAssertEqual(asProbe.y, [2, 4, 6, 8, 11])
    }

    func testThreeFramesPreferTheNBy3Layout() throws {
        let directory = try TemporaryDirectory()
        let path = try Fixtures.writeCXI(directory.file("three.cxi"), Fixtures.dataset(frameCount: 3))
        try Fixtures.replace(path, "/entry_1/sample_1/geometry_1/translation",
                             with: [1, 2, 0, 3, 4, 0, 5, 6, 0], shape: [3, 3])
        let positions = try CXIReader(translationConvention: .probe).read(path: path).dataset.positions
        XCTAssertEqual(positions.x, [1, 3, 5])
        XCTAssertEqual(positions.y, [2, 4, 6])
    }

    func testUInt32CountsRoundTripAndDataIsChunkedPerFrameBehindASoftLink() throws {
        let directory = try TemporaryDirectory()
        let written = Fixtures.dataset()
        let path = try Fixtures.writeCXI(directory.file("counts.cxi"), written,
                                         writer: CXIWriter(frameType: .uint32, framesPerBatch: 2))
        let file = try HDF5File.open(path)
        XCTAssertEqual(try file.dataset("/entry_1/data_1/data").elementKind.description, "uint32")
        XCTAssertEqual(try file.readScalar("/cxi_version"), 160)
        XCTAssertEqual(try file.stringAttribute("NX_class", of: "/entry_1/data_1"), "NXdata")
        try file.close()
        assertSameData(try CXIReader().read(path: path).dataset, written)
    }

    func testAnyIntegerOrFloatFrameTypeIsConvertedOnRead() throws {
        let directory = try TemporaryDirectory()
        let written = Fixtures.dataset()
        let values = floats(written.intensities).map(Double.init)
        for type in [HDF5StorageType.int16, .uint8, .int64, .float64] {
            let path = try Fixtures.writeCXI(directory.file("\(type).cxi"), written)
            try Fixtures.modify(path) { file in
                try file.removeLink("/entry_1/instrument_1/detector_1/data")
                let frames = try file.createDataset("/entry_1/instrument_1/detector_1/data", type: type,
                                                    shape: written.intensities.shape,
                                                    chunk: [1, Fixtures.height, Fixtures.width])
                try frames.write(values)
            }
            assertSameData(try CXIReader(framesPerBatch: 3).read(path: path).dataset, written)
        }
    }

    func testMaskBitsOnlyHasSignalIsGoodAndBadPixelsReadAsZero() throws {
        let directory = try TemporaryDirectory()
        let path = try Fixtures.writeCXI(directory.file("mask.cxi"))
        var flags = [Double](repeating: 0, count: Fixtures.height * Fixtures.width)
        flags[1] = 0x1000
        flags[2] = 0x1
        flags[3] = 0x1001
        flags[4] = 0x2000
        try Fixtures.replace(path, "/entry_1/instrument_1/detector_1/mask", with: flags,
                             shape: [Fixtures.height, Fixtures.width], as: .uint32)
        // -1 in a dead pixel is what detectors store; the mask makes it harmless.
        var firstFrame = [Float](repeating: 5, count: Fixtures.height * Fixtures.width)
        firstFrame[2] = -1
        try Fixtures.modify(path) { file in
            try file.dataset("/entry_1/data_1/data").writeRows(0..<1, from: firstFrame)
        }
        let dataset = try CXIReader().read(path: path).dataset
        XCTAssertEqual(Array(floats(dataset.mask).prefix(6)), [1, 1, 0, 0, 0, 1])
        XCTAssertEqual(dataset.goodPixelCount, Fixtures.height * Fixtures.width - 3)
        XCTAssertEqual(dataset.intensities[flat: 2], 0)
        XCTAssertEqual(dataset.intensities[flat: 1], 5)
    }

    func testMonitorDividesEachFrameByItsShareOfTheMean() throws {
        let directory = try TemporaryDirectory()
        let written = Fixtures.dataset()
        let path = try Fixtures.writeCXI(directory.file("monitor.cxi"), written)
        let monitor: [Double] = [1, 2, 1, 0.5, 0.5]   // mean 1
        try Fixtures.modify(path) { try $0.write(monitor, to: "/entry_1/data_1/monitor", as: .float64) }
        let read = try CXIReader().read(path: path).dataset
        let pixels = Fixtures.height * Fixtures.width
        for frame in 0..<Fixtures.frameCount {
            for pixel in 0..<pixels {
                XCTAssertEqual(read.intensities.slice(frame)[pixel],
                               written.intensities.slice(frame)[pixel] / Float(monitor[frame]))
            }
        }
    }

    func testDarkIsSubtractedThenClippedAtZeroUnderEitherName() throws {
        let directory = try TemporaryDirectory()
        let written = Fixtures.dataset()
        let pixels = Fixtures.height * Fixtures.width
        let dark = (0..<pixels).map { Double($0 % 5) * 2 }
        for name in ["data_dark", "dark"] {
            let path = try Fixtures.writeCXI(directory.file("\(name).cxi"), written)
            try Fixtures.modify(path) { file in
                try file.write(dark, to: "/entry_1/instrument_1/detector_1/" + name,
                               shape: [Fixtures.height, Fixtures.width], as: .float32)
            }
            let read = try CXIReader().read(path: path).dataset
            for index in 0..<read.intensities.count {
                XCTAssertEqual(read.intensities[flat: index],
                               max(0, written.intensities[flat: index] - Float(dark[index % pixels])))
            }
        }
    }

    func testPerFrameDistanceUsesTheMeanAndWarns() throws {
        let directory = try TemporaryDirectory()
        let path = try Fixtures.writeCXI(directory.file("distance.cxi"))
        try Fixtures.replace(path, "/entry_1/instrument_1/detector_1/distance", with: [2, 2, 3, 3, 5], shape: [5])
        let loaded = try CXIReader().read(path: path)
        XCTAssertEqual(loaded.dataset.geometry.distance, 3)
        XCTAssertEqual(loaded.warnings.count, 1)
        XCTAssertTrue(loaded.warnings[0].contains("/entry_1/instrument_1/detector_1/distance"), loaded.warnings[0])
    }

    func testWavelengthIsAcceptedWhenEnergyIsAbsent() throws {
        let directory = try TemporaryDirectory()
        let path = try Fixtures.writeCXI(directory.file("wavelength.cxi"))
        let wavelength = 1.5e-10
        try Fixtures.modify(path) { file in
            try file.removeLink("/entry_1/instrument_1/source_1/energy")
            try file.write(scalar: wavelength, to: "/entry_1/instrument_1/beam_1/incident_wavelength", as: .float64)
        }
        let geometry = try CXIReader().read(path: path).dataset.geometry
        XCTAssertEqual(geometry.wavelength, wavelength, accuracy: 1e-22)
    }

    func testEnergyInElectronvoltsIsFlaggedAsImplausible() throws {
        let directory = try TemporaryDirectory()
        let path = try Fixtures.writeCXI(directory.file("ev.cxi"))
        try Fixtures.replace(path, "/entry_1/instrument_1/source_1/energy", with: [8000], shape: [])
        let warnings = try CXIReader().read(path: path).warnings
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("implausible"), warnings[0])
    }

    func testInspectSummarisesAValidFileWithoutReadingFrames() throws {
        let directory = try TemporaryDirectory()
        let path = try Fixtures.writeCXI(directory.file("info.cxi"), writer: CXIWriter(frameType: .uint32))
        let summary = CXIReader.inspect(path: path)
        XCTAssertTrue(summary.isValid, "\(summary.problems)")
        XCTAssertEqual(summary.frameCount, Fixtures.frameCount)
        XCTAssertEqual(summary.frameShape, [Fixtures.height, Fixtures.width])
        XCTAssertEqual(summary.dataType, "uint32")
        XCTAssertEqual(summary.geometry, Fixtures.geometry)
        XCTAssertEqual(summary.translationLayout, .framesByAxes)
        XCTAssertEqual(summary.goodPixelCount, Fixtures.height * Fixtures.width)
        XCTAssertFalse(summary.hasDark)
        XCTAssertFalse(summary.hasMonitor)
    }

    func testInspectListsEveryProblemInsteadOfStoppingAtTheFirst() throws {
        let directory = try TemporaryDirectory()
        let path = try Fixtures.writeCXI(directory.file("bad-info.cxi"))
        try Fixtures.replace(path, "/entry_1/instrument_1/detector_1/distance", with: [0], shape: [])
        try Fixtures.replace(path, "/entry_1/instrument_1/detector_1/x_pixel_size", with: [-1], shape: [])
        try Fixtures.replace(path, "/entry_1/sample_1/geometry_1/translation", with: [0, 0, 0], shape: [1, 3])
        let summary = CXIReader.inspect(path: path)
        XCTAssertEqual(summary.problems.count, 3, "\(summary.problems)")
        XCTAssertEqual(summary.frameCount, Fixtures.frameCount)
        XCTAssertNil(summary.geometry)
        XCTAssertEqual(CXIReader.inspect(path: directory.file("absent.cxi")).problems.count, 1)
    }
}
