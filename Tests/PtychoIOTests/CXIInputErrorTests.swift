import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// Each bad input gets its own test: the one-line error must name the file, the dataset and the problem.
final class CXIInputErrorTests: XCTestCase {
    private let data = "/entry_1/data_1/data"
    private let translation = "/entry_1/sample_1/geometry_1/translation"
    private let detector = "/entry_1/instrument_1/detector_1"

    private func validFile(_ directory: TemporaryDirectory, _ name: String = "data.cxi") throws -> String {
        try Fixtures.writeCXI(directory.file(name))
    }

    func testMissingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("absent.cxi")
        assertInputError(try CXIReader().read(path: path), mentions: [path, "no such file"])
    }

    func testUnreadablePathThatIsADirectory() throws {
        let directory = try TemporaryDirectory()
        assertInputError(try CXIReader().read(path: directory.path),
                         mentions: [directory.path, "cannot read the file", "directory"])
    }

    func testUnreadableFileWithoutPermission() throws {
        try XCTSkipIf(getuid() == 0, "running as root, which reads files whatever their permissions; "
                      + "the directory case above covers unreadable paths")
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        chmod(path, 0)
        assertInputError(try CXIReader().read(path: path), mentions: [path, "cannot read the file"])
    }

    func testNotAnHDF5File() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("text.cxi")
        try "frame,intensity\n0,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        assertInputError(try CXIReader().read(path: path), mentions: [path, "not an HDF5 file"])
    }

    func testMissingDataDataset() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.modify(path) { file in
            try file.removeLink(self.data)
            try file.removeLink(self.detector + "/data")
        }
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, data, detector + "/data", "dataset is missing"])
    }

    func testDataAtTheDetectorPathAloneIsAccepted() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.modify(path) { try $0.removeLink(self.data) }
        XCTAssertEqual(try CXIReader().read(path: path).dataset.frameCount, Fixtures.frameCount)
    }

    func testMissingTranslation() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.modify(path) { try $0.removeLink(self.translation) }
        assertInputError(try CXIReader().read(path: path), mentions: [path, translation, "dataset is missing"])
    }

    func testWrongRankOfData() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.modify(path) { file in
            try file.removeLink(self.data)
            try file.removeLink(self.detector + "/data")
            try file.write([Double](repeating: 1, count: 24), to: self.data, shape: [6, 4], as: .float32)
        }
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, data, "wrong shape", "(N, ny, nx)", "(6, 4)"])
    }

    func testTranslationLengthMismatch() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.replace(path, translation, with: [Double](repeating: 0, count: 12), shape: [4, 3])
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, translation, "has 4 entries, expected 5", data])
    }

    func testTranslationOfUnusableShape() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.replace(path, translation, with: [Double](repeating: 0, count: 10), shape: [5, 2])
        assertInputError(try CXIReader().read(path: path), mentions: [path, translation, "(N, 3) or (3, N)"])
    }

    func testNaNIntensity() throws {
        let directory = try TemporaryDirectory()
        let dataset = Fixtures.dataset()
        dataset.intensities.slice(3)[1 * Fixtures.width + 2] = .nan
        let path = try Fixtures.writeCXI(directory.file("nan.cxi"), dataset)
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, data, "non-finite intensity nan at frame 3, row 1, column 2"])
    }

    func testNegativeIntensity() throws {
        let directory = try TemporaryDirectory()
        let dataset = Fixtures.dataset()
        dataset.intensities.slice(4)[0] = -3
        let path = try Fixtures.writeCXI(directory.file("negative.cxi"), dataset)
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, data, "negative intensity -3.0 at frame 4, row 0, column 0"])
    }

    func testZeroFrames() throws {
        let directory = try TemporaryDirectory()
        let path = try Fixtures.writeCXI(directory.file("empty.cxi"), Fixtures.dataset(frameCount: 0))
        assertInputError(try CXIReader().read(path: path), mentions: [path, data, "contains zero frames"])
    }

    func testZeroDistance() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.replace(path, detector + "/distance", with: [0], shape: [])
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, detector + "/distance", "must be > 0 (found 0.0)"])
    }

    func testNegativeDistanceMatchesTheDocumentedMessage() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.replace(path, detector + "/distance", with: [-7.2], shape: [])
        XCTAssertThrowsError(try CXIReader().read(path: path)) { error in
            XCTAssertEqual("\(error)", "\(path): \(self.detector)/distance: must be > 0 (found -7.2)")
        }
    }

    func testNonFiniteDistanceInAPerFrameArray() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.replace(path, detector + "/distance", with: [2, 2, .infinity, 2, 2], shape: [5])
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, detector + "/distance", "must be finite (found inf)"])
    }

    func testNegativeEnergy() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        let energy = "/entry_1/instrument_1/source_1/energy"
        try Fixtures.replace(path, energy, with: [-1.28e-15], shape: [])
        assertInputError(try CXIReader().read(path: path), mentions: [path, energy, "must be > 0 (found -1.28e-15)"])
    }

    func testMissingEnergyAndWavelength() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.modify(path) { try $0.removeLink("/entry_1/instrument_1/source_1/energy") }
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, "source_1/energy", "incident_wavelength", "dataset is missing"])
    }

    func testZeroPixelSize() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.replace(path, detector + "/y_pixel_size", with: [0], shape: [])
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, detector + "/y_pixel_size", "must be > 0 (found 0.0)"])
    }

    func testMaskShapeMismatch() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.replace(path, detector + "/mask", with: [0, 0, 0, 0], shape: [2, 2], as: .uint32)
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, detector + "/mask", "mask shape (2, 2)", "frame shape (6, 4)"])
    }

    func testMonitorLengthMismatchAndNonPositiveMonitor() throws {
        let directory = try TemporaryDirectory()
        let path = try validFile(directory)
        try Fixtures.modify(path) { try $0.write([1.0, 1.0], to: "/entry_1/data_1/monitor", as: .float64) }
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, "/entry_1/data_1/monitor", "has 2 entries, expected 5"])
        try Fixtures.replace(path, "/entry_1/data_1/monitor", with: [1, 1, 0, 1, 1], shape: [5])
        assertInputError(try CXIReader().read(path: path),
                         mentions: [path, "/entry_1/data_1/monitor", "frame 2 must be finite and > 0"])
    }
}
