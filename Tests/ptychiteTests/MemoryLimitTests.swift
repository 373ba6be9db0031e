import Foundation
import PtychoTestSupport
import XCTest

/// The memory check runs before anything large is allocated: above `--max-memory` the run is refused
/// with exit 3 and one line that says how much it would need.
final class MemoryLimitTests: XCTestCase {
    func testMaxMemoryBelowTheEstimateExits3NamingTheNeededAmount() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"),
                                               "--max-memory", "1M", "--progress", "jsonl"] + CLIFixtures.quickPlan)
        assertOneLineFailure(outcome, status: ExpectedExit.memory, mentions: [input, "needs", "--max-memory", "1.0 MiB"])
        // The needed amount, with a unit, right after "needs".
        let message = outcome.stderrLines.first ?? ""
        XCTAssertNotNil(message.range(of: #"needs [0-9]+(\.[0-9]+)? (B|KiB|MiB|GiB|TiB)"#, options: .regularExpression),
                        message)
        XCTAssertEqual(outcome.stdout, "", "refused before the first iteration")
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }
}
