import Foundation
import PtychoIO
import PtychoTestSupport
import XCTest

/// `--object PREVIOUS_RESULT` (`object_init`): a reconstruction may start from the object of an earlier
/// one of the same scan; an object of another size is a one-line input error.
final class InitialObjectFileTests: XCTestCase {
    func testStartsFromThePreviousResultsObject() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        let first = directory.file("first.h5")
        assertSucceeded(try PtychiteProcess.run(["reconstruct", input, "-o", first, "--progress", "none"]
                                                + CLIFixtures.quickPlan))
        let second = directory.file("second.h5")
        assertSucceeded(try PtychiteProcess.run(["reconstruct", input, "-o", second, "--object", first,
                                                 "--probe", first, "--engine", "ePIE:1", "--progress", "none"]))
        let result = try ResultReader().read(path: second)
        let document = try JSONSerialization.jsonObject(with: Data(result.configurationJSON.utf8)) as? [String: Any]
        XCTAssertEqual(document?["object_init"] as? String, first, result.configurationJSON)
        // One ePIE iteration from the previous object fits the data about as well as the run that made it.
        let previous = try ResultReader().read(path: first)
        XCTAssertLessThan(result.history[0].fourierError, 2 * previous.history.last!.fourierError)
    }

    func testObjectOfAnotherSizeIsAOneLineInputError() throws {
        let directory = try TemporaryDirectory()
        let wide = try CLIFixtures.simulate(in: directory, name: "wide.cxi", frames: 60)
        let narrow = try CLIFixtures.simulate(in: directory, name: "narrow.cxi", frames: 20)
        let previous = directory.file("wide_result.h5")
        assertSucceeded(try PtychiteProcess.run(["reconstruct", wide, "-o", previous, "--progress", "none"]
                                                + CLIFixtures.quickPlan))
        let before = try directory.contents()
        let outcome = try PtychiteProcess.run(["reconstruct", narrow, "-o", directory.file("narrow_result.h5"),
                                               "--object", previous] + CLIFixtures.quickPlan)
        assertOneLineFailure(outcome, status: ExpectedExit.inputOutput, mentions: [previous, "/entry_1/object/data"])
        XCTAssertEqual(try directory.contents(), before, "the refused run created files")
    }
}
