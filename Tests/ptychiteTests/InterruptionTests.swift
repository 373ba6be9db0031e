import Foundation
import PtychoIO
import PtychoTestSupport
import XCTest

/// SIGTERM (a job being cancelled) and SIGINT (Ctrl-C) stop a reconstruction between iterations; the
/// last iterate is still written as a complete result, and the exit code is 128 + the signal.
final class InterruptionTests: XCTestCase {
    /// Far more iterations than can run before the signal arrives (each takes milliseconds), so the run
    /// can only end early by being interrupted; the watchdog bounds the test if the signal is ignored.
    private static let plannedIterations = 100_000

    func testSIGTERMWritesTheLastIterateAndExits143() throws {
        try assertInterrupted(by: SIGTERM)
    }

    func testSIGINTWritesTheLastIterateAndExits130() throws {
        try assertInterrupted(by: SIGINT)
    }

    /// Ctrl-C twice: the first asks for a clean stop (said on stderr), the second ends the process at once
    /// by SIGINT's default action, before the iteration in progress ends, so no result (and no temporary
    /// file) is written. Frames of 256² on one thread make an iteration last far longer than the 1 ms
    /// between the two signals.
    func testASecondSIGINTQuitsAtOnceWithoutWritingTheResult() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory, frames: 200, frameSize: 256)
        let result = directory.file("quit.h5")
        let process = try PtychiteProcess(["reconstruct", input, "-o", result, "--progress", "jsonl", "--threads", "1",
                                           "--engine", "DM:\(Self.plannedIterations)", "--probe-diameter-um", "3"],
                                          timeout: 60)
        _ = try XCTUnwrap(process.nextStdoutLine(), "no progress line before exit")
        process.send(signal: SIGINT)
        usleep(1_000)
        process.send(signal: SIGINT)
        let outcome = process.wait()

        XCTAssertFalse(outcome.timedOut, outcome.summary)
        XCTAssertFalse(outcome.exitedNormally, "the second SIGINT did not end the process: \(outcome.summary)")
        XCTAssertEqual(outcome.status, SIGINT, outcome.summary)
        XCTAssertEqual(outcome.stderrLines.filter { $0.hasPrefix("ptychite: stop requested (SIGINT)") }.count, 1,
                       outcome.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: result), "a result was written")
        XCTAssertEqual(try directory.contents().filter(OutputNames.isTemporary), [], "temporary files left behind")
    }

    /// A SIGTERM at any moment of the start is obeyed: the run ends (by the default action before the
    /// handler is installed, by a clean stop after) and never goes on through its plan. A service stopping
    /// a job it has just started sends exactly such a signal; the earlier handler (the signal ignored, then
    /// read from a dispatch source) dropped one that arrived between the two, about one start in sixty here.
    func testSIGTERMAtAnyMomentOfTheStartEndsTheRun() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        for step in 0..<48 {
            let delay = UInt32(step) * 1_250   // 0 to 59 ms, across the handler's installation
            let process = try PtychiteProcess(["reconstruct", input, "-o", directory.file("started.h5"), "--progress", "none",
                                               "--engine", "ePIE:\(Self.plannedIterations)", "--probe-diameter-um", "3"],
                                              timeout: 15)
            usleep(delay)
            process.send(signal: SIGTERM)
            let outcome = process.wait()
            XCTAssertFalse(outcome.timedOut, "the SIGTERM sent \(delay) µs after the start was lost")
            XCTAssertEqual(outcome.exitedNormally ? outcome.status : 128 + outcome.status, ExpectedExit.terminated,
                           "SIGTERM \(delay) µs after the start: \(outcome.summary)")
        }
    }

    private func assertInterrupted(by signal: Int32, file: StaticString = #filePath, line: UInt = #line) throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        let result = directory.file("interrupted.h5")
        let process = try PtychiteProcess(["reconstruct", input, "-o", result, "--progress", "jsonl",
                                           "--engine", "ePIE:\(Self.plannedIterations)", "--probe-diameter-um", "3"],
                                          timeout: 60)
        // The first progress line proves the signal handlers are installed (they are set up before the
        // first iteration), so the signal tests the graceful stop and not the default action.
        let first = try XCTUnwrap(process.nextStdoutLine(), "no progress line before exit", file: file, line: line)
        XCTAssertEqual(try ProgressRecord(line: first).iteration, 1, file: file, line: line)
        process.send(signal: signal)
        let outcome = process.wait()

        assertExitedCleanly(outcome, file: file, line: line)
        XCTAssertEqual(outcome.status, 128 + signal, outcome.summary, file: file, line: line)
        XCTAssertEqual(outcome.stderrLines.filter { $0.hasPrefix("ptychite: error:") },
                       ["ptychite: error: interrupted by signal \(signal)"], outcome.summary, file: file, line: line)
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        XCTAssertEqual(outcome.stderrLines.filter { $0.hasPrefix("ptychite: stop requested") }.count, 1, outcome.summary,
                       file: file, line: line)
        XCTAssertTrue(outcome.stderr.contains("ptychite: stop requested (\(name))"), outcome.summary, file: file, line: line)

        let progress = outcome.stdoutLines
        let written = try ResultReader().read(path: result)
        XCTAssertGreaterThanOrEqual(written.history.count, 1, file: file, line: line)
        XCTAssertLessThan(written.history.count, Self.plannedIterations, file: file, line: line)
        XCTAssertEqual(written.history.count, progress.count, "the history holds every reported iteration",
                       file: file, line: line)
        XCTAssertEqual(written.history.last?.iteration, written.history.count, file: file, line: line)
        for path in OutputNames.previews(for: result) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "missing \(path)", file: file, line: line)
        }
        XCTAssertEqual(try directory.contents().filter(OutputNames.isTemporary), [], "temporary files left behind",
                       file: file, line: line)
    }
}
