import Foundation
import PtychoIO
import PtychoTestSupport
import XCTest

/// `--probe PREVIOUS_RESULT`: a reconstruction may start from the probe of an earlier one, which must
/// match the data's frame size.
final class InitialProbeFileTests: XCTestCase {
    func testStartsFromThePreviousResultsProbe() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        let first = directory.file("first.h5")
        assertSucceeded(try PtychiteProcess.run(["reconstruct", input, "-o", first, "--progress", "none"]
                                                + CLIFixtures.quickPlan))

        let second = directory.file("second.h5")
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", second, "--probe", first,
                                               "--engine", "ePIE:2", "--progress", "none"])
        assertSucceeded(outcome)
        // A given probe replaces the automatic beam sizing, which would announce itself.
        XCTAssertFalse(outcome.stderr.contains("chosen by trial"), outcome.summary)
        let configuration = try ResultReader().read(path: second).configurationJSON
        let document = try JSONSerialization.jsonObject(with: Data(configuration.utf8)) as? [String: Any]
        XCTAssertEqual(document?["probe"] as? String, first, configuration)
    }

    func testProbeOfAnotherFrameSizeIsAOneLineInputError() throws {
        let directory = try TemporaryDirectory()
        let large = try CLIFixtures.simulate(in: directory, name: "large.cxi", frames: 30, frameSize: 64)
        let small = try CLIFixtures.simulate(in: directory, name: "small.cxi", frames: 30, frameSize: 32)
        let previous = directory.file("large_result.h5")
        assertSucceeded(try PtychiteProcess.run(["reconstruct", large, "-o", previous, "--progress", "none"]
                                                + CLIFixtures.quickPlan))
        let before = try directory.contents()

        let outcome = try PtychiteProcess.run(["reconstruct", small, "-o", directory.file("small_result.h5"),
                                               "--probe", previous, "--engine", "ePIE:2"])
        assertOneLineFailure(outcome, status: ExpectedExit.inputOutput,
                             mentions: [previous, "/entry_1/probe/data", "64×64", "32×32"])
        XCTAssertEqual(try directory.contents(), before, "the refused run created files")
    }
}
