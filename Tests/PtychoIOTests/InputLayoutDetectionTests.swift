import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// `InputLayout.detect` tells the layouts apart by their datasets and names what it looked for otherwise.
final class InputLayoutDetectionTests: XCTestCase {
    func testEachLayoutIsDetected() throws {
        let directory = try TemporaryDirectory()
        XCTAssertEqual(try InputLayout.detect(path: Fixtures.writeCXI(directory.file("a.cxi"))), .cxi)
        XCTAssertEqual(try InputLayout.detect(path: LayoutFixtures.writePtychoShelves(directory.file("b.h5"))),
                       .ptychoShelves)
        XCTAssertEqual(try InputLayout.detect(path: LayoutFixtures.writePtyLab(directory.file("c.hdf5"))), .ptyLab)
    }

    func testCXIWithItsFramesOnlyAtTheDetectorPathIsCXI() throws {
        let directory = try TemporaryDirectory()
        let path = try Fixtures.writeCXI(directory.file("a.cxi"))
        try Fixtures.modify(path) { try $0.removeLink(CXILayout.dataPaths[0]) }
        XCTAssertEqual(try InputLayout.detect(path: path), .cxi)
    }

    func testFilesOfALayoutWithoutTheirFramesAreRecognisedSoTheReaderNamesTheMissingDataset() throws {
        let directory = try TemporaryDirectory()
        let cxi = try Fixtures.writeCXI(directory.file("a.cxi"))
        try Fixtures.modify(cxi) { file in
            for path in CXILayout.dataPaths { try file.removeLink(path) }
        }
        XCTAssertEqual(try InputLayout.detect(path: cxi), .cxi)
        let shelves = try LayoutFixtures.writePtychoShelves(directory.file("b.h5"))
        try Fixtures.modify(shelves) { try $0.removeLink(PtychoShelvesLayout.data) }
        XCTAssertEqual(try InputLayout.detect(path: shelves), .ptychoShelves)
    }

    func testUnknownLayoutListsWhatWasLookedFor() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("other.h5")
        let file = try HDF5File.create(path)
        try file.write([1.0, 2.0], to: "/images/frames", as: .float32)
        try file.close()
        assertInputError(try InputLayout.detect(path: path),
                         mentions: [path, "not a layout Ptychite reads", CXILayout.dataPaths[0], CXILayout.dataPaths[1],
                                    "(CXI)", "/entry_1 (CXI)", "/measurement/n0 (PtychoShelves)", "/ptychogram (PtyLab)"])
    }

    func testFileProblemsComeBeforeDetection() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("absent.h5")
        assertInputError(try InputLayout.detect(path: path), mentions: [path, "no such file"])
    }
}
