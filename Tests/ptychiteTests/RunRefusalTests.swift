import Foundation
import XCTest

/// Runs refused before any work because the request cannot be met: too little memory (exit 3) or an
/// engine plan that does not parse (exit 2). Both leave no output behind.
final class RunRefusalTests: XCTestCase {
    func testMaxMemoryBelowTheEstimateExits3NamingTheNeededAmount() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"),
                                               "--max-memory", "1M"] + CLIFixtures.quickPlan)
        assertOneLineFailure(outcome, status: ExpectedExit.memory, mentions: [input, "needs", "--max-memory", "1.0 MiB"])
        // The needed amount, with a unit, right after "needs".
        let message = outcome.stderrLines.first ?? ""
        XCTAssertNotNil(message.range(of: #"needs [0-9]+(\.[0-9]+)? (B|KiB|MiB|GiB|TiB)"#, options: .regularExpression),
                        message)
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }

    func testUnknownEngineExits2NamingIt() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"),
                                               "--engine", "FOO:3", "--probe-diameter-um", "3"])
        assertOneLineFailure(outcome, status: ExpectedExit.usage, mentions: ["unknown engine", "'FOO'"])
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }

    func testStageWithoutIterationsExits2NamingIt() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"),
                                               "--engine", "DM:5,ePIE:0", "--probe-diameter-um", "3"])
        assertOneLineFailure(outcome, status: ExpectedExit.usage, mentions: ["'ePIE:0'"])
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }
}
