import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// Each bad PtychoShelves or PtyLab input, and each misuse of the geometry options, gets a one-line error
/// naming the file, the dataset (or option) and the problem.
final class LayoutInputErrorTests: XCTestCase {
    private let shelvesData = PtychoShelvesLayout.data
    private let shelvesPositions = PtychoShelvesLayout.positions
    private let reader = PtychoShelvesReader(geometry: LayoutFixtures.geometryOptions)

    private func shelvesFile(_ directory: TemporaryDirectory) throws -> String {
        try LayoutFixtures.writePtychoShelves(directory.file("S00001_data_5x4.h5"))
    }

    private func ptyLabFile(_ directory: TemporaryDirectory) throws -> String {
        try LayoutFixtures.writePtyLab(directory.file("ptylab.hdf5"))
    }

    // MARK: PtychoShelves

    func testShelvesMissingData() throws {
        let directory = try TemporaryDirectory()
        let path = try shelvesFile(directory)
        try Fixtures.modify(path) { try $0.removeLink(self.shelvesData) }
        assertInputError(try reader.read(path: path), mentions: [path, shelvesData, "dataset is missing"])
    }

    func testShelvesMissingPositions() throws {
        let directory = try TemporaryDirectory()
        let path = try shelvesFile(directory)
        try Fixtures.modify(path) { try $0.removeLink(self.shelvesPositions) }
        assertInputError(try reader.read(path: path), mentions: [path, shelvesPositions, "dataset is missing"])
    }

    func testShelvesDataOfWrongRank() throws {
        let directory = try TemporaryDirectory()
        let path = try shelvesFile(directory)
        try Fixtures.replace(path, shelvesData, with: [Double](repeating: 1, count: 20), shape: [5, 4], as: .float32)
        assertInputError(try reader.read(path: path), mentions: [path, shelvesData, "wrong shape", "(N, Ny, Nx)", "(5, 4)"])
    }

    func testShelvesPositionsOfWrongShape() throws {
        let directory = try TemporaryDirectory()
        let path = try shelvesFile(directory)
        try Fixtures.replace(path, shelvesPositions, with: [Double](repeating: 1, count: 15), shape: [5, 3], as: .uint32)
        assertInputError(try reader.read(path: path),
                         mentions: [path, shelvesPositions, "wrong shape", "(N, 2) [y, x]", "(5, 3)"])
    }

    func testShelvesPositionCountDiffersFromFrameCount() throws {
        let directory = try TemporaryDirectory()
        let path = try shelvesFile(directory)
        try Fixtures.replace(path, shelvesPositions, with: [Double](repeating: 1, count: 8), shape: [4, 2], as: .uint32)
        assertInputError(try reader.read(path: path),
                         mentions: [path, shelvesPositions, "has 4 entries, expected 5", shelvesData])
    }

    func testShelvesNegativeIntensityIsReportedAtItsPlaceInTheFile() throws {
        let directory = try TemporaryDirectory()
        let path = try shelvesFile(directory)
        var values = try HDF5File.open(path).read(shelvesData, as: Double.self)
        values[20 + 4 * 1 + 3] = -2  // frame 1, row 1, column 3 as stored
        try Fixtures.replace(path, shelvesData, with: values, shape: [5, 5, 4], as: .float32)
        assertInputError(try reader.read(path: path),
                         mentions: [path, shelvesData, "negative intensity -2.0 at frame 1, row 1, column 3"])
    }

    func testShelvesEachMissingGeometryOptionIsNamed() throws {
        let directory = try TemporaryDirectory()
        let path = try shelvesFile(directory)
        for option in GeometryOption.allCases {
            var geometry = LayoutFixtures.geometryOptions
            switch option {
            case .energy: geometry.energy = nil
            case .distance: geometry.distance = nil
            case .detectorPixelSize: geometry.detectorPixelSize = nil
            }
            assertInputError(try PtychoShelvesReader(geometry: geometry).read(path: path),
                             mentions: [path, PtychoShelvesLayout.group, "PtychoShelves files record no",
                                        option.quantity, option.flag, "\"\(option.configurationKey)\""])
        }
    }

    func testShelvesNonPositiveGeometryOption() throws {
        let directory = try TemporaryDirectory()
        let path = try shelvesFile(directory)
        var geometry = LayoutFixtures.geometryOptions
        geometry.distance = -1
        assertInputError(try PtychoShelvesReader(geometry: geometry).read(path: path),
                         mentions: [path, "--distance-m", "must be finite and > 0", "-1.0"])
    }

    // MARK: PtyLab

    func testPtyLabMissingEachDataset() throws {
        for dataset in [PtyLabLayout.ptychogram, PtyLabLayout.wavelength, PtyLabLayout.encoder,
                        PtyLabLayout.detectorPixelSize, PtyLabLayout.distance] {
            let directory = try TemporaryDirectory()
            let path = try ptyLabFile(directory)
            try Fixtures.modify(path) { try $0.removeLink(dataset) }
            assertInputError(try PtyLabReader().read(path: path), mentions: [path, dataset, "dataset is missing"])
        }
    }

    func testPtyLabNonSquareFrames() throws {
        let directory = try TemporaryDirectory()
        let path = try ptyLabFile(directory)
        try Fixtures.replace(path, PtyLabLayout.ptychogram, with: [Double](repeating: 1, count: 60), shape: [5, 4, 3],
                             as: .float32)
        assertInputError(try PtyLabReader().read(path: path),
                         mentions: [path, PtyLabLayout.ptychogram, "wrong shape", "square", "(5, 4, 3)"])
    }

    func testPtyLabEncoderLengthDiffersFromFrameCount() throws {
        let directory = try TemporaryDirectory()
        let path = try ptyLabFile(directory)
        try Fixtures.replace(path, PtyLabLayout.encoder, with: [Double](repeating: 0, count: 12), shape: [6, 2])
        assertInputError(try PtyLabReader().read(path: path),
                         mentions: [path, PtyLabLayout.encoder, "has 6 entries, expected 5", PtyLabLayout.ptychogram])
    }

    func testPtyLabEncoderOfWrongShape() throws {
        let directory = try TemporaryDirectory()
        let path = try ptyLabFile(directory)
        try Fixtures.replace(path, PtyLabLayout.encoder, with: [Double](repeating: 0, count: 10), shape: [2, 5])
        assertInputError(try PtyLabReader().read(path: path),
                         mentions: [path, PtyLabLayout.encoder, "wrong shape", "(N, 2) [x, y]", "(2, 5)"])
    }

    func testPtyLabNonPositiveDistance() throws {
        let directory = try TemporaryDirectory()
        let path = try ptyLabFile(directory)
        try Fixtures.replace(path, PtyLabLayout.distance, with: [-0.5], shape: [])
        assertInputError(try PtyLabReader().read(path: path), mentions: [path, PtyLabLayout.distance, "must be > 0"])
    }

    func testPtyLabNaNEncoder() throws {
        let directory = try TemporaryDirectory()
        let path = try ptyLabFile(directory)
        var encoder = [Double](repeating: 0, count: 10)
        encoder[7] = .nan
        try Fixtures.replace(path, PtyLabLayout.encoder, with: encoder, shape: [5, 2])
        assertInputError(try PtyLabReader().read(path: path),
                         mentions: [path, PtyLabLayout.encoder, "position of frame 3 must be finite"])
    }

    // MARK: Options against layouts

    func testGeometryOptionsAreRefusedForLayoutsThatRecordTheirOwn() throws {
        let directory = try TemporaryDirectory()
        let cxi = try Fixtures.writeCXI(directory.file("data.cxi"))
        let ptyLab = try ptyLabFile(directory)
        let options = DatasetReaderOptions(geometry: GeometryOptions(energy: 1e-15, detectorPixelSize: 1e-4))
        assertInputError(try InputLayout.reader(for: cxi, options: options),
                         mentions: [cxi, "--energy-kev, --detector-pixel-um apply only to PtychoShelves input",
                                    "this CXI file records its own geometry"])
        assertInputError(try InputLayout.reader(for: ptyLab, options: options),
                         mentions: [ptyLab, "PtyLab file"])
    }

    func testFactoryReadsEachLayout() throws {
        let directory = try TemporaryDirectory()
        let files = [(try Fixtures.writeCXI(directory.file("data.cxi")), InputLayout.cxi),
                     (try shelvesFile(directory), .ptychoShelves), (try ptyLabFile(directory), .ptyLab)]
        for (path, layout) in files {
            let options = DatasetReaderOptions(geometry: layout == .ptychoShelves ? LayoutFixtures.geometryOptions
                                                                                   : GeometryOptions())
            let (detected, reader) = try InputLayout.reader(for: path, options: options)
            XCTAssertEqual(detected, layout)
            XCTAssertEqual(try reader.read(path: path).dataset.frameCount, Fixtures.frameCount, path)
        }
    }
}
