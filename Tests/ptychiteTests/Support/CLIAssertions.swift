import Foundation
import PtychoTestSupport
import XCTest

/// The exit codes documented in `ptychite --help` (Sources/ptychite/Ptychite.swift). Repeated here on
/// purpose: they are a contract with scripts and the job service, so a change must break a test.
enum ExpectedExit {
    static let success: Int32 = 0
    static let inputOutput: Int32 = 1
    static let usage: Int32 = 2
    static let memory: Int32 = 3
    static let terminated: Int32 = 128 + SIGTERM
}

/// What a crash or an uncaught error would print; none may ever reach the user.
private let crashMarkers = ["Fatal error", "Stack dump", "Backtrace", "stack trace", "Current stack trace",
                            "Thread 0 crashed", "Segmentation fault", "Illegal instruction"]

/// The process ran to its own exit (no crash, no watchdog) and printed no crash report.
func assertExitedCleanly(_ outcome: PtychiteOutcome, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(outcome.timedOut, "timed out: \(outcome.summary)", file: file, line: line)
    XCTAssertTrue(outcome.exitedNormally, "killed by signal \(outcome.status): \(outcome.summary)", file: file, line: line)
    for marker in crashMarkers {
        XCTAssertFalse(outcome.stderr.contains(marker) || outcome.stdout.contains(marker),
                       "crash report (\"\(marker)\"): \(outcome.summary)", file: file, line: line)
    }
}

func assertSucceeded(_ outcome: PtychiteOutcome, file: StaticString = #filePath, line: UInt = #line) {
    assertExitedCleanly(outcome, file: file, line: line)
    XCTAssertEqual(outcome.status, ExpectedExit.success, outcome.summary, file: file, line: line)
}

/// The failure contract: exit `status`, and standard error is exactly one line, `ptychite: error: …`,
/// containing every fragment (the file, the dataset, the problem).
func assertOneLineFailure(_ outcome: PtychiteOutcome, status: Int32, mentions fragments: [String],
                          file: StaticString = #filePath, line: UInt = #line) {
    assertExitedCleanly(outcome, file: file, line: line)
    XCTAssertEqual(outcome.status, status, outcome.summary, file: file, line: line)
    let lines = outcome.stderrLines
    XCTAssertEqual(lines.count, 1, "standard error is not one line: \(outcome.summary)", file: file, line: line)
    guard let message = lines.first else { return }
    XCTAssertTrue(message.hasPrefix("ptychite: error: "), "unexpected prefix: \(message)", file: file, line: line)
    for fragment in fragments {
        XCTAssertTrue(message.contains(fragment), "\"\(message)\" does not mention \"\(fragment)\"", file: file, line: line)
    }
}

/// The directory holds exactly `names`: no result, no preview and no temporary file was left behind.
func assertDirectoryHoldsOnly(_ directory: TemporaryDirectory, _ names: [String],
                              file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(try directory.contents(), names.sorted(), "files were created or left behind",
                   file: file, line: line)
}
