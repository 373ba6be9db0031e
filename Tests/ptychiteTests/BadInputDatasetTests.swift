import Foundation
import PtychoCore
import PtychoTestSupport
import XCTest

/// An HDF5 file with one thing wrong in its datasets (PtychoIOTests check the reader; these check what
/// the user sees): `reconstruct` exits 1 with one line naming the file, the dataset and the problem, and
/// writes no result, preview or temporary file.
final class BadInputDatasetTests: XCTestCase {
    private let data = "/entry_1/data_1/data"
    private let detectorData = "/entry_1/instrument_1/detector_1/data"
    private let translation = "/entry_1/sample_1/geometry_1/translation"
    private let detector = "/entry_1/instrument_1/detector_1"

    func testMissingData() throws {
        try assertRefused(mentions: [data, detectorData, "dataset is missing"]) { path in
            try CLIFixtures.writeSmallCXI(path)
            try CLIFixtures.modify(path) { file in
                try file.removeLink(self.data)
                try file.removeLink(self.detectorData)
            }
        }
    }

    func testMissingTranslation() throws {
        try assertRefused(mentions: [translation, "dataset is missing"]) { path in
            try CLIFixtures.writeSmallCXI(path)
            try CLIFixtures.modify(path) { try $0.removeLink(self.translation) }
        }
    }

    func testDataOfWrongRank() throws {
        try assertRefused(mentions: [data, "wrong shape", "(N, ny, nx)", "(32, 32)"]) { path in
            try CLIFixtures.writeSmallCXI(path)
            try CLIFixtures.modify(path) { file in
                try file.removeLink(self.data)
                try file.removeLink(self.detectorData)
                try file.write([Double](repeating: 1, count: 32 * 32), to: self.data, shape: [32, 32], as: .float32)
            }
        }
    }

    func testTranslationLengthDiffersFromFrameCount() throws {
        try assertRefused(mentions: [translation, "has 11 entries, expected 12"]) { path in
            try CLIFixtures.writeSmallCXI(path)
            try CLIFixtures.replace(path, self.translation, with: [Double](repeating: 0, count: 33), shape: [11, 3])
        }
    }

    func testNaNIntensity() throws {
        try assertRefused(mentions: [data, "non-finite intensity nan at frame 3, row 1, column 2"]) { path in
            try CLIFixtures.writeSmallCXI(path) { $0.intensities.slice(3)[1 * $0.frameWidth + 2] = .nan }
        }
    }

    func testNegativeIntensity() throws {
        try assertRefused(mentions: [data, "negative intensity -3.0 at frame 4, row 0, column 0"]) { path in
            try CLIFixtures.writeSmallCXI(path) { $0.intensities.slice(4)[0] = -3 }
        }
    }

    func testZeroFrames() throws {
        try assertRefused(mentions: [data, "contains zero frames"]) { path in
            try CLIFixtures.writeZeroFrameCXI(path)
        }
    }

    func testZeroDistance() throws {
        try assertRefused(mentions: [detector + "/distance", "must be > 0 (found 0.0)"]) { path in
            try CLIFixtures.writeSmallCXI(path)
            try CLIFixtures.replace(path, self.detector + "/distance", with: [0], shape: [])
        }
    }

    func testNegativeEnergy() throws {
        let energy = "/entry_1/instrument_1/source_1/energy"
        try assertRefused(mentions: [energy, "must be > 0 (found -1e-15)"]) { path in
            try CLIFixtures.writeSmallCXI(path)
            try CLIFixtures.replace(path, energy, with: [-1e-15], shape: [])
        }
    }

    func testZeroPixelSize() throws {
        try assertRefused(mentions: [detector + "/x_pixel_size", "must be > 0 (found 0.0)"]) { path in
            try CLIFixtures.writeSmallCXI(path)
            try CLIFixtures.replace(path, self.detector + "/x_pixel_size", with: [0], shape: [])
        }
    }

    /// Writes the input with `makeInput`, runs `reconstruct` on it and checks the one-line refusal, which
    /// must also name the input file. Only the input may remain in the folder afterwards.
    private func assertRefused(mentions fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                               makeInput: (String) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        let input = directory.file("data.cxi")
        try makeInput(input)
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5")]
                                              + CLIFixtures.quickPlan)
        assertOneLineFailure(outcome, status: ExpectedExit.inputOutput, mentions: [input] + fragments,
                             file: file, line: line)
        assertDirectoryHoldsOnly(directory, ["data.cxi"], file: file, line: line)
    }
}
