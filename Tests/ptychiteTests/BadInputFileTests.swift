import Foundation
import PtychoTestSupport
import XCTest

/// Inputs that are not a readable HDF5 file at all. Each must end `reconstruct` with exit 1 and one line
/// naming the file and the problem, and create nothing.
final class BadInputFileTests: XCTestCase {
    /// The control case: the fixture the dataset-level tests break does reconstruct, so each failure
    /// there comes from the one thing broken, not from the fixture.
    func testUnbrokenFixtureReconstructs() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"),
                                               "--engine", "DM:2", "--probe-diameter-um", "3", "--progress", "none"])
        assertSucceeded(outcome)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.file("out.h5")), outcome.summary)
    }

    func testMissingFile() throws {
        let directory = try TemporaryDirectory()
        let input = directory.file("absent.cxi")
        let outcome = try reconstruct(input, in: directory)
        assertOneLineFailure(outcome, status: ExpectedExit.inputOutput, mentions: [input, "no such file"])
        assertDirectoryHoldsOnly(directory, [])
    }

    func testDirectoryInsteadOfAFile() throws {
        let directory = try TemporaryDirectory()
        let input = directory.file("scan.cxi")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: false)
        let outcome = try reconstruct(input, in: directory)
        assertOneLineFailure(outcome, status: ExpectedExit.inputOutput,
                             mentions: [input, "cannot read the file", "directory"])
        assertDirectoryHoldsOnly(directory, ["scan.cxi"])
    }

    func testTextFileIsNotHDF5() throws {
        let directory = try TemporaryDirectory()
        let input = directory.file("notes.cxi")
        try "frame,intensity\n0,1\n".write(toFile: input, atomically: true, encoding: .utf8)
        let outcome = try reconstruct(input, in: directory)
        assertOneLineFailure(outcome, status: ExpectedExit.inputOutput, mentions: [input, "not an HDF5 file"])
        assertDirectoryHoldsOnly(directory, ["notes.cxi"])
    }

    /// `info` reports instead of refusing: it prints what it found, lists the problem and exits 1.
    func testInfoOnABrokenFileListsTheProblemAndExits1() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let distance = "/entry_1/instrument_1/detector_1/distance"
        try CLIFixtures.replace(input, distance, with: [0], shape: [])
        let outcome = try PtychiteProcess.run(["info", input])
        assertExitedCleanly(outcome)
        XCTAssertEqual(outcome.status, ExpectedExit.inputOutput, outcome.summary)
        let problems = outcome.stdoutLines.filter { $0.hasPrefix("Problem: ") }
        XCTAssertEqual(problems.count, 1, outcome.summary)
        for fragment in [input, distance, "must be > 0"] {
            XCTAssertTrue(problems.first?.contains(fragment) == true, "no \"\(fragment)\" in \(problems)")
        }
        XCTAssertTrue(outcome.stdout.contains("Status: 1 problem(s) found"), outcome.summary)
        XCTAssertFalse(outcome.stdout.contains("ready to reconstruct"), outcome.summary)
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }

    func testInfoOnAMissingFileExits1() throws {
        let directory = try TemporaryDirectory()
        let input = directory.file("absent.cxi")
        let outcome = try PtychiteProcess.run(["info", input])
        assertExitedCleanly(outcome)
        XCTAssertEqual(outcome.status, ExpectedExit.inputOutput, outcome.summary)
        XCTAssertTrue(outcome.stdout.contains("Problem: \(input): no such file"), outcome.summary)
    }

    private func reconstruct(_ input: String, in directory: TemporaryDirectory) throws -> PtychiteOutcome {
        try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5")] + CLIFixtures.quickPlan)
    }
}
