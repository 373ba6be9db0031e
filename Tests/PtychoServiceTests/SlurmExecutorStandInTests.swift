import Foundation
import Logging
import PtychoService
import PtychoTestSupport
import XCTest

/// `SlurmExecutor` against stand-in `sbatch`, `squeue`, `scontrol` and `scancel` scripts (no cluster):
/// what it submits, how it follows the queue, the fallbacks once a job has left it, and that a failing
/// squeue ends nothing.
final class SlurmExecutorStandInTests: XCTestCase {
    /// A folder of stand-in commands driven by files the test writes: `squeue.json` (missing: squeue
    /// fails), `scontrol.txt` (missing: scontrol fails); sbatch and scancel record their arguments.
    struct StandIn {
        let directory: TemporaryDirectory
        let folder: JobFolder
        let executor: SlurmExecutor

        init() throws {
            directory = try TemporaryDirectory(prefix: "ptychite-slurm-standin-")
            let bin = directory.file("bin")
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            let d = directory.path
            let scripts = [
                "sbatch": "printf '%s\\n' \"$@\" > '\(d)/sbatch.args'; echo '42;cluster'",
                "squeue": "[ \"$1\" = --json ] && [ -f '\(d)/squeue.json' ] && cat '\(d)/squeue.json' || exit 1",
                "scontrol": "[ -f '\(d)/scontrol.txt' ] && cat '\(d)/scontrol.txt' || { echo 'slurm_load_jobs error: Invalid job id specified' >&2; exit 1; }",
                "scancel": "printf '%s\\n' \"$@\" >> '\(d)/scancel.args'",
            ]
            for (name, body) in scripts {
                try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: bin + "/" + name))
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + name)
            }
            folder = JobFolder(stateDirectory: d, id: UUID().uuidString.lowercased())
            try folder.create()
            var settings = SlurmSettings()
            settings.commandDirectory = bin
            settings.pollSeconds = 0.1
            settings.partition = "debug"
            executor = SlurmExecutor(settings: settings, executablePath: "/opt/ptychite", dataDirectory: d, logger: Logger(label: "test"))
        }

        func queue(_ state: String, reason: String = "None", exit: Int = 0) throws {
            let json = #"{"errors": [], "jobs": [{"job_id": 42, "name": "x", "job_state": "\#(state)", "state_reason": "\#(reason)", "exit_code": \#(exit)}]}"#
            try write(json, "squeue.json")
        }

        func write(_ text: String, _ name: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory.file(name + ".tmp")))
            // rename(2): the stand-in commands never see a half-written file.
            guard rename(directory.file(name + ".tmp"), directory.file(name)) == 0 else { throw TestFailure("rename \(name)") }
        }

        var launch: JobLaunch { JobLaunch(id: folder.path.split(separator: "/").last.map(String.init)!, folder: folder,
                                          resources: JobResources(cpus: 2, memoryMB: 100, gpus: 0, timeLimitMinutes: 5)) }
    }

    func testFollowsTheQueueAndForwardsProgressUntilCompleted() async throws {
        let standIn = try StandIn()
        try standIn.queue("PENDING", reason: "Priority")
        let recorder = Recorder()
        let launch = JobLaunch(id: standIn.launch.id, folder: standIn.folder, resources: standIn.launch.resources,
                               reports: ExecutorReports(submitted: { recorder.add("submitted \($0)") },
                                                        native: { status, _ in recorder.add("native \(status.state)/\(status.reason ?? "")") }))
        let executor = standIn.executor
        async let outcome = executor.run(launch, started: { _ in }, progress: { recorder.add("progress \($0)") })
        try await recorder.waitFor("native PENDING/Priority")
        try standIn.queue("RUNNING")
        try await recorder.waitFor("native RUNNING/None")
        let line = #"{"iteration":3,"of":5,"engine":"DM","fourier_error":0.5,"llk_poisson":1,"seconds":0.1}"#
        try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: standIn.folder.progressFile))
        try await recorder.waitFor("progress \(line)")
        try standIn.queue("COMPLETED")
        let result = await outcome
        XCTAssertEqual(result, .resolved(.complete, exitCode: 0, message: "completed under Slurm"))
        XCTAssertEqual(recorder.all.first, "submitted 42")
        let arguments = try String(contentsOfFile: standIn.directory.file("sbatch.args"), encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(arguments.contains("--partition=debug"))
        XCTAssertTrue(arguments.contains("--cpus-per-task=2"))
        XCTAssertEqual(arguments.last.map(String.init), SlurmBatchScript.scriptPath(standIn.folder))
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: SlurmBatchScript.scriptPath(standIn.folder)))
    }

    func testAJobGoneFromSlurmWithoutAnExitMarkerIsASystemError() async throws {
        let standIn = try StandIn()
        try standIn.write(#"{"errors": [], "jobs": []}"#, "squeue.json")
        let result = await standIn.executor.run(standIn.launch, started: { _ in }, progress: { _ in })
        guard case .resolved(.systemError, nil, let message) = result else { return XCTFail("\(result)") }
        XCTAssertTrue(message?.contains("vanished") == true, message ?? "")
        XCTAssertEqual(JobScheduler.mapOutcome(result, canceled: false).0, .systemError)
    }

    func testAfterTheQueueScontrolThenTheExitMarkerDecide() async throws {
        let standIn = try StandIn()
        try standIn.write(#"{"errors": [], "jobs": []}"#, "squeue.json")
        try standIn.write("JobId=42 JobName=x JobState=OUT_OF_MEMORY Reason=OutOfMemory ExitCode=0:125\n", "scontrol.txt")
        let fromScontrol = await standIn.executor.run(standIn.launch, started: { _ in }, progress: { _ in })
        guard case .resolved(.executorError, _, let message) = fromScontrol else { return XCTFail("\(fromScontrol)") }
        XCTAssertTrue(message?.contains("OUT_OF_MEMORY") == true, message ?? "")

        let marked = try StandIn()
        try marked.write(#"{"errors": [], "jobs": []}"#, "squeue.json")
        try Data("2\n".utf8).write(to: URL(fileURLWithPath: SlurmBatchScript.exitMarkerPath(marked.folder)))
        let fromMarker = await marked.executor.run(JobLaunch(id: marked.launch.id, folder: marked.folder, reattach: "42"),
                                                   started: { _ in }, progress: { _ in })
        guard case .resolved(.executorError, 2, let markerMessage) = fromMarker else { return XCTFail("\(fromMarker)") }
        XCTAssertTrue(markerMessage?.contains("invalid configuration") == true, markerMessage ?? "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: marked.directory.file("sbatch.args")), "a reattached job is not submitted again")
    }

    /// A controller that does not answer ends nothing; cancel runs scancel with the job's id; a shutdown
    /// detaches without canceling.
    func testSqueueFailuresEndNothingAndCancelUsesScancel() async throws {
        let standIn = try StandIn()
        let executor = standIn.executor, launch = standIn.launch
        async let outcome = executor.run(launch, started: { _ in }, progress: { _ in })
        try await Task.sleep(nanoseconds: 600_000_000) // several failing polls (no squeue.json yet)
        await standIn.executor.cancel(jobID: standIn.launch.id, grace: 0)
        try standIn.queue("CANCELLED", exit: 15)
        let result = await outcome
        XCTAssertEqual(JobScheduler.mapOutcome(result, canceled: true).0, .canceled)
        XCTAssertEqual(JobScheduler.mapOutcome(result, canceled: true).2, "canceled by the user")
        XCTAssertEqual(try String(contentsOfFile: standIn.directory.file("scancel.args"), encoding: .utf8), "42\n")

        let detached = try StandIn()
        try detached.queue("RUNNING")
        let detachedExecutor = detached.executor, detachedLaunch = detached.launch
        async let still = detachedExecutor.run(detachedLaunch, started: { _ in }, progress: { _ in })
        try await Task.sleep(nanoseconds: 300_000_000)
        await detached.executor.terminateAll(grace: 0)
        let detachedResult = await still
        XCTAssertEqual(detachedResult, .detached)
        XCTAssertFalse(FileManager.default.fileExists(atPath: detached.directory.file("scancel.args")))
    }
}

/// Collects strings from any task; `waitFor` polls (bounded) until one arrives.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
    func waitFor(_ item: String, timeout: Double = 10) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if all.contains(item) { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("never saw \(item): \(all)")
    }
}
