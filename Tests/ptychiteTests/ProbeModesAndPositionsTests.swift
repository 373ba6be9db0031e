import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// Issue 3 items 4–6 through the binary: per-iteration mode powers in the progress lines and the
/// history, refined positions in the result, a parametric probe model and its configuration record.
final class ProbeModesAndPositionsTests: XCTestCase {
    func testModePowersRefinedPositionsAndProbeModelReachTheResult() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        let output = directory.file("result.h5")
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", output, "--progress", "jsonl",
                                               "--engine", "DM:6,ePIE:2", "--probe-modes", "2",
                                               "--probe-model", "gaussian", "--probe-fwhm-um", "3",
                                               "--refine-positions", "3"])
        assertSucceeded(outcome)
        let records = try outcome.stdoutLines.map { try ProgressRecord(line: $0) }
        XCTAssertEqual(records.count, 8)
        for record in records {
            XCTAssertEqual(record.modePower.count, 2, "iteration \(record.iteration)")
            XCTAssertEqual(record.modePower.reduce(0, +), 1, accuracy: 1e-4)
            XCTAssertGreaterThanOrEqual(record.modePower[0], record.modePower[1])
        }
        let result = try ResultReader().read(path: output)
        XCTAssertEqual(result.history.map(\.modePower.count), Array(repeating: 2, count: 8))
        for (written, printed) in zip(result.history.last!.modePower, records.last!.modePower) {
            XCTAssertEqual(Double(written), printed, accuracy: 1e-5)
        }
        XCTAssertNotEqual(result.refinedPositions, result.initialPositions, "refinement moved nothing")
        let document = try JSONSerialization.jsonObject(with: Data(result.configurationJSON.utf8)) as? [String: Any]
        XCTAssertEqual(document?["probe_model"] as? String, "gaussian")
        XCTAssertEqual(document?["refine_positions_start"] as? Int, 3)
        XCTAssertFalse(outcome.stderr.contains("chosen by trial"), outcome.summary)
    }

    func testWithoutRefinementTheRefinedPositionsAreTheInitialOnes() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        let output = directory.file("result.h5")
        assertSucceeded(try PtychiteProcess.run(["reconstruct", input, "-o", output, "--progress", "none"]
                                                + CLIFixtures.quickPlan))
        let result = try ResultReader().read(path: output)
        XCTAssertEqual(result.refinedPositions, result.initialPositions)
    }

    func testMissingModelParameterIsAUsageErrorNamingTheKey() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"),
                                               "--probe-model", "zone_plate", "--zone-plate-diameter-um", "150"])
        assertOneLineFailure(outcome, status: ExpectedExit.usage, mentions: ["'zone_plate_outer_zone_width'"])
    }
}
