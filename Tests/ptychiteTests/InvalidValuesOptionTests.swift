import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// `invalid_values` / `--invalid-values`: a file whose unmasked pixels hold -1 (a detector gap written
/// without a mask) is refused by default with the way out named; with `mask` it reconstructs, says on
/// stderr which pixels it masked, and the result records the choice; `info` says the same.
final class InvalidValuesOptionTests: XCTestCase {
    func testMaskReconstructsAFileWithAnUnmaskedGapAndRecordsTheChoice() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("gaps.cxi")) { dataset in
            for frame in 0..<dataset.frameCount { dataset.intensities.slice(frame)[5] = -1 }
        }
        let refused = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("refused.h5"), "--engine", "DM:3"])
        assertOneLineFailure(refused, status: ExpectedExit.inputOutput,
                             mentions: [input, "negative intensity -1.0 at frame 0, row 0, column 5", "--invalid-values mask"])

        let config = directory.file("job.json")
        try #"{"engine": "DM:3", "progress": "none", "invalid_values": "mask"}"#.write(toFile: config, atomically: true,
                                                                                       encoding: .utf8)
        let result = directory.file("masked.h5")
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", result, "--config", config])
        assertSucceeded(outcome)
        XCTAssertEqual(outcome.stderrLines.filter { $0.contains("value(s) in 1 detector pixel(s)") }.count, 1, outcome.summary)
        let recorded = try ResultReader().read(path: result)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(recorded.configurationJSON.utf8)) as? [String: Any])
        XCTAssertEqual(document["invalid_values"] as? String, "mask", recorded.configurationJSON)
        XCTAssertEqual(recorded.history.count, 3)

        // `info` reports the same: a problem naming the way out, or with the option a warning and ready.
        let described = try PtychiteProcess.run(["info", input])
        XCTAssertTrue(described.stdout.contains("--invalid-values mask"), described.summary)
        XCTAssertFalse(described.stdout.contains("ready to reconstruct"), described.summary)
        let masked = try PtychiteProcess.run(["info", input, "--invalid-values", "mask"])
        assertSucceeded(masked)
        XCTAssertTrue(masked.stdoutLines.contains { $0.hasPrefix("Warning:") && $0.contains("1 detector pixel(s)") }, masked.summary)
        XCTAssertTrue(masked.stdout.contains("Status: ready to reconstruct"), masked.summary)

        let unknown = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("unknown.h5"),
                                               "--invalid-values", "sometimes"])
        assertOneLineFailure(unknown, status: ExpectedExit.usage, mentions: ["--invalid-values", "refuse or mask"])
    }
}
