import Foundation
import PtychoTestSupport
import XCTest

/// Command lines and engine plans that cannot be run as given: exit 2 (the documented usage status,
/// also for what ArgumentParser itself rejects), a message naming what is wrong, and no output.
final class UsageErrorTests: XCTestCase {
    func testUnknownEngineExits2NamingIt() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"),
                                               "--engine", "FOO:3", "--probe-diameter-um", "3"])
        assertOneLineFailure(outcome, status: ExpectedExit.usage, mentions: ["engine", "unknown engine", "'FOO'"])
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }

    func testStageWithoutIterationsExits2NamingIt() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"),
                                               "--engine", "DM:5,ePIE:0", "--probe-diameter-um", "3"])
        assertOneLineFailure(outcome, status: ExpectedExit.usage, mentions: ["'ePIE:0'", "positive iteration count"])
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }

    /// ArgumentParser's own errors exit 64 unless `Ptychite.main` maps them; its message (error, usage and
    /// a pointer to --help) may span lines, which is fine for a typo on the command line.
    func testUnknownOptionExits2() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"), "--iterations", "5"])
        assertExitedCleanly(outcome)
        XCTAssertEqual(outcome.status, ExpectedExit.usage, outcome.summary)
        XCTAssertTrue(outcome.stderrLines.first?.contains("'--iterations'") == true, outcome.summary)
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }

    func testInvalidOptionValueExits2() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"),
                                               "--probe-modes", "two"])
        assertExitedCleanly(outcome)
        XCTAssertEqual(outcome.status, ExpectedExit.usage, outcome.summary)
        XCTAssertTrue(outcome.stderrLines.first?.contains("'two'") == true, outcome.summary)
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }

    /// `info` used to read an unknown convention silently as `sample`.
    func testInfoWithAnUnknownTranslationConventionExits2() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["info", input, "--translation", "detector"])
        assertOneLineFailure(outcome, status: ExpectedExit.usage, mentions: ["--translation", "sample or probe"])
    }
}
