import Foundation
import PtychoIO
import PtychoTestSupport
import XCTest

/// A real child process is killed with SIGKILL mid-run (no chance to save anything at that moment), then
/// `--resume` continues from its last checkpoint and must end exactly where an uninterrupted run ends.
final class CheckpointResumeTests: XCTestCase {
    /// DM then ePIE, so the checkpoints carry both engines' state (exit waves; the visiting order). The
    /// ePIE stage is long so the kill lands while the run is still going (each iteration takes ~1 ms).
    private static let plan = "DM:30,ePIE:1500"
    private static let interval = 10
    /// Same FFT plans in every process (`measure` times algorithms and may pick others per process);
    /// given beam size, seed and threads so that both runs start from the same model.
    private static let common = ["--engine", plan, "--probe-diameter-um", "3", "--threads", "2",
                                 "--fft-planning", "estimate", "--seed", "5", "--progress", "jsonl"]

    func testRunKilledMidwayResumesToTheUninterruptedResult() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        let reference = directory.file("reference.h5")
        let uninterrupted = try PtychiteProcess.run(["reconstruct", input, "-o", reference] + Self.common)
        assertSucceeded(uninterrupted)

        let output = directory.file("killed.h5")
        let checkpoint = directory.file("killed.checkpoint.h5")
        let process = try PtychiteProcess(["reconstruct", input, "-o", output,
                                           "--checkpoint-every", "\(Self.interval)"] + Self.common)
        // Past the DM stage and a few ePIE checkpoints, then killed without warning.
        while let line = process.nextStdoutLine(), try ProgressRecord(line: line).iteration < 65 {}
        process.send(signal: SIGKILL)
        let killed = process.wait()
        XCTAssertFalse(killed.exitedNormally, "the run finished before the kill: \(killed.summary)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "a killed run cannot have written its result")
        let saved = try CheckpointReader().read(path: checkpoint)
        let savedIterations = saved.checkpoint.history.count
        XCTAssertEqual(savedIterations % Self.interval, 0)
        XCTAssertGreaterThanOrEqual(savedIterations, 60)

        let resumed = try PtychiteProcess.run(["reconstruct", "--resume", checkpoint, "-o", output,
                                               "--progress", "jsonl"])
        assertSucceeded(resumed)
        let firstResumed = try ProgressRecord(line: try XCTUnwrap(resumed.stdoutLines.first))
        XCTAssertEqual(firstResumed.iteration, savedIterations + 1, "resumed from the checkpoint, not from the start")
        XCTAssertFalse(FileManager.default.fileExists(atPath: checkpoint), "the finished run removes its checkpoint")
        XCTAssertEqual(try directory.contents().filter(OutputNames.isTemporary), [],
                       "temporaries of the killed run's checkpoint writes are cleaned up")

        let expected = try ResultReader().read(path: reference), actual = try ResultReader().read(path: output)
        XCTAssertEqual(actual.history.map(\.iteration), Array(1...1530))
        XCTAssertEqual(actual.history.map(\.fourierError), expected.history.map(\.fourierError))
        XCTAssertEqual(actual.history.map(\.poissonNLL), expected.history.map(\.poissonNLL))
        XCTAssertTrue(Array(actual.object.storage) == Array(expected.object.storage), "objects differ")
        XCTAssertTrue(Array(actual.probe.storage) == Array(expected.probe.storage), "probes differ")
    }

    func testResumeRefusesOptionsThatWouldChangeTheRun() throws {
        let directory = try TemporaryDirectory()
        let outcome = try PtychiteProcess.run(["reconstruct", "--resume", directory.file("x.checkpoint.h5"),
                                               "--engine", "DM:5", "--background", "--probe-model", "gaussian"])
        XCTAssertEqual(outcome.status, 2, outcome.summary)
        XCTAssertTrue(outcome.stderr.contains("background, engine, probe_model cannot be given with it"), outcome.summary)
    }

    func testResumeFromAResultFileSaysItIsNotACheckpoint() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        let result = directory.file("result.h5")
        assertSucceeded(try PtychiteProcess.run(["reconstruct", input, "-o", result, "--engine", "ePIE:2",
                                                 "--probe-diameter-um", "3", "--progress", "none"]))
        let outcome = try PtychiteProcess.run(["reconstruct", "--resume", result, "-o", directory.file("out.h5")])
        XCTAssertEqual(outcome.status, 1, outcome.summary)
        XCTAssertEqual(outcome.stderrLines.filter { $0.hasPrefix("ptychite: error:") }.count, 1, outcome.summary)
        XCTAssertTrue(outcome.stderr.contains("\(result): /entry_1/process_1/checkpoint"), outcome.summary)
    }
}
