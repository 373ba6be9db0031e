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
    private static let common = ["--probe-diameter-um", "3", "--threads", "2", "--fft-planning", "estimate",
                                 "--seed", "5", "--progress", "jsonl"]

    func testRunKilledMidwayResumesToTheUninterruptedResult() throws {
        try assertKilledRunResumes(plan: Self.plan, options: [], killPast: 65, iterations: 1530)
    }

    /// The same on an OpenCL device (PoCL in CI): DM's exit waves and ML's conjugate-gradient state come
    /// down into the checkpoint and go back up on resume; the device's sums do not depend on scheduling,
    /// so the resumed run ends bit for bit where the uninterrupted one does.
    func testRunOnOpenCLKilledMidwayResumesToTheUninterruptedResult() throws {
        try assertKilledRunResumes(plan: "DM:15,ML:300", options: ["--device", "opencl"], killPast: 35, iterations: 315)
    }

    /// mPIE on the device steps its momentum there: its velocity and snapshot come down into the checkpoint
    /// (`MomentumDeviceCopy`) and go back up on resume.
    func testMomentumPIEOnOpenCLKilledMidwayResumesToTheUninterruptedResult() throws {
        try assertKilledRunResumes(plan: "DM:5,mPIE:120", options: ["--device", "opencl"], killPast: 45, iterations: 125)
    }

    private func assertKilledRunResumes(plan: String, options: [String], killPast killIteration: Int, iterations: Int,
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        let arguments = ["--engine", plan] + options + Self.common
        let reference = directory.file("reference.h5")
        let uninterrupted = try PtychiteProcess.run(["reconstruct", input, "-o", reference] + arguments)
        assertSucceeded(uninterrupted, file: file, line: line)

        let output = directory.file("killed.h5")
        let checkpoint = directory.file("killed.checkpoint.h5")
        let process = try PtychiteProcess(["reconstruct", input, "-o", output,
                                           "--checkpoint-every", "\(Self.interval)"] + arguments)
        // Past the first stage and a few checkpoints of the second, then killed without warning.
        while let line = process.nextStdoutLine(), try ProgressRecord(line: line).iteration < killIteration {}
        process.send(signal: SIGKILL)
        let killed = process.wait()
        XCTAssertFalse(killed.exitedNormally, "the run finished before the kill: \(killed.summary)", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "a killed run cannot have written its result",
                       file: file, line: line)
        let saved = try CheckpointReader().read(path: checkpoint)
        let savedIterations = saved.checkpoint.history.count
        XCTAssertEqual(savedIterations % Self.interval, 0, file: file, line: line)
        XCTAssertGreaterThanOrEqual(savedIterations, killIteration / Self.interval * Self.interval - Self.interval,
                                    file: file, line: line)

        let resumed = try PtychiteProcess.run(["reconstruct", "--resume", checkpoint, "-o", output,
                                               "--progress", "jsonl"])
        assertSucceeded(resumed, file: file, line: line)
        let firstResumed = try ProgressRecord(line: try XCTUnwrap(resumed.stdoutLines.first))
        XCTAssertEqual(firstResumed.iteration, savedIterations + 1, "resumed from the checkpoint, not from the start",
                       file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: checkpoint), "the finished run removes its checkpoint",
                       file: file, line: line)
        XCTAssertEqual(try directory.contents().filter(OutputNames.isTemporary), [],
                       "temporaries of the killed run's checkpoint writes are cleaned up", file: file, line: line)

        let expected = try ResultReader().read(path: reference), actual = try ResultReader().read(path: output)
        XCTAssertEqual(actual.provenance.device, expected.provenance.device, file: file, line: line)
        XCTAssertEqual(actual.history.map(\.iteration), Array(1...iterations), file: file, line: line)
        XCTAssertEqual(actual.history.map(\.fourierError), expected.history.map(\.fourierError), file: file, line: line)
        XCTAssertEqual(actual.history.map(\.poissonNLL), expected.history.map(\.poissonNLL), file: file, line: line)
        XCTAssertTrue(Array(actual.object.storage) == Array(expected.object.storage), "objects differ", file: file, line: line)
        XCTAssertTrue(Array(actual.probe.storage) == Array(expected.probe.storage), "probes differ", file: file, line: line)
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
