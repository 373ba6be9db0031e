import Foundation
import PtychoTestSupport
import XCTest

/// A result that cannot be written is reported before the reconstruction runs, not after every
/// iteration has been spent: exit 1, one line naming the result path, no progress line.
final class OutputPathTests: XCTestCase {
    func testResultInAMissingFolderIsRefusedBeforeIterating() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let result = directory.file("no-such-folder/out.h5")
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", result, "--progress", "jsonl"]
                                              + CLIFixtures.quickPlan)
        assertOneLineFailure(outcome, status: ExpectedExit.inputOutput,
                             mentions: [result, "cannot create a file in its directory"])
        XCTAssertEqual(outcome.stdout, "", "iterations ran before the failure: \(outcome.summary)")
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }

    func testResultPathThatIsAFolderIsRefusedBeforeIterating() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let result = directory.file("results")
        try FileManager.default.createDirectory(atPath: result, withIntermediateDirectories: false)
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", result, "--progress", "jsonl"]
                                              + CLIFixtures.quickPlan)
        assertOneLineFailure(outcome, status: ExpectedExit.inputOutput, mentions: [result, "is a directory"])
        XCTAssertEqual(outcome.stdout, "", "iterations ran before the failure: \(outcome.summary)")
        assertDirectoryHoldsOnly(directory, ["data.cxi", "results"])
    }

    func testResultThatWouldReplaceTheInputIsRefused() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("./data.cxi"),
                                               "--progress", "jsonl"] + CLIFixtures.quickPlan)
        assertOneLineFailure(outcome, status: ExpectedExit.usage, mentions: ["would replace the input"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: input)), before)
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }
}
