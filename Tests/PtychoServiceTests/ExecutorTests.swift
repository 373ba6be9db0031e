import Foundation
import PtychoService
import PtychoTestSupport
import XCTest

/// The local executor against small shell scripts standing in for `ptychite` (same argument contract):
/// progress lines, the last log line, exit codes, launch failure, and cancel through the process group.
final class ExecutorTests: XCTestCase {
    func makeScript(_ body: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("fake-ptychite.sh")
        try Data(("#!/bin/sh\n" + body + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    func makeLaunch(in directory: TemporaryDirectory) throws -> JobLaunch {
        let id = UUID().uuidString.lowercased()
        let folder = JobFolder(stateDirectory: directory.path, id: id)
        try folder.create()
        return JobLaunch(id: id, folder: folder)
    }

    func testProgressLogAndExitCode() async throws {
        let directory = try TemporaryDirectory()
        let script = try makeScript("""
            [ "$1" = reconstruct ] && [ "$2" = --config ] && [ "$4" = --progress ] && [ "$5" = jsonl ] || exit 9
            echo '{"iteration":1,"of":2,"engine":"DM","fourier_error":0.5,"llk_poisson":1,"seconds":0.1}'
            echo 'not json'
            echo '{"iteration":2,"of":2,"engine":"DM","fourier_error":0.25,"llk_poisson":1,"seconds":0.2}'
            echo 'Reading input' >&2
            echo 'ptychite: error: data.cxi: /entry_1/data_1/data: missing' >&2
            exit 1
            """, in: directory)
        let launch = try makeLaunch(in: directory)
        let lines = LineCollector()
        let outcome = await LocalExecutor(executablePath: script).run(launch, started: { XCTAssertGreaterThan($0, 0) },
                                                                      progress: { lines.add($0) })
        XCTAssertEqual(outcome, .finished(.exited(1), lastErrorLine: "ptychite: error: data.cxi: /entry_1/data_1/data: missing"))
        XCTAssertEqual(lines.all.count, 3)
        let progressFile = try String(contentsOfFile: launch.folder.progressFile, encoding: .utf8)
        XCTAssertEqual(progressFile.split(separator: "\n").count, 3)
        XCTAssertEqual(JobProgress.parse(line: lines.all[2])?.iteration, 2)
        XCTAssertNil(JobProgress.parse(line: lines.all[1]))
    }

    func testLaunchFailure() async throws {
        let directory = try TemporaryDirectory()
        let launch = try makeLaunch(in: directory)
        let outcome = await LocalExecutor(executablePath: directory.file("missing")).run(launch, started: { _ in },
                                                                                        progress: { _ in })
        guard case .launchFailed = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(JobScheduler.mapOutcome(outcome, canceled: false).0, .systemError)
    }

    /// SIGTERM reaches the whole group; a child that ignores it is killed after the grace period.
    func testCancelTerminatesThenKillsTheProcessGroup() async throws {
        let directory = try TemporaryDirectory()
        for (body, expected) in [("sleep 30 & wait", ChildTermination.signaled(SIGTERM)),
                                 ("trap '' TERM\nsleep 30 & wait", ChildTermination.signaled(SIGKILL))] {
            let script = try makeScript("echo started >&2\n" + body, in: directory)
            let executor = LocalExecutor(executablePath: script)
            let launch = try makeLaunch(in: directory)
            let start = Date()
            async let outcome = executor.run(launch, started: { _ in }, progress: { _ in })
            // Bounded wait for the script to be running (its first log line).
            for _ in 0..<250 where (try? String(contentsOfFile: launch.folder.logFile, encoding: .utf8))?.contains("started") != true {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            await executor.cancel(jobID: launch.id, grace: 0.5)
            let result = await outcome
            XCTAssertEqual(result, .finished(expected, lastErrorLine: "started"), body)
            XCTAssertLessThan(Date().timeIntervalSince(start), 10, body)
            XCTAssertEqual(JobScheduler.mapOutcome(result, canceled: true).0, .canceled)
        }
    }
}

final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
