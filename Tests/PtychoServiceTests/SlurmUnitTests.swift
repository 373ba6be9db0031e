import Foundation
import PtychoService
import PtychoTestSupport
import XCTest

/// The pure parts of the Slurm executor: state mapping, squeue/scontrol/sbatch parsing (on output
/// captured from Slurm 22.05, Debian 12's version, checked in under Tests/slurm/), the batch script and
/// the sbatch command line.
final class SlurmUnitTests: XCTestCase {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("slurm")

    func phase(_ state: String, reason: String? = nil, exit: Int? = nil, signal: Int? = nil) -> SlurmPhase {
        SlurmJobState.phase(of: SlurmJobStatus(jobID: "7", state: state, reason: reason, exitCode: exit, signal: signal))
    }

    func endState(_ phase: SlurmPhase) -> JobState? {
        if case .ended(let state, _, _) = phase { return state }
        return nil
    }

    func testEveryStateMapsToTheContract() {
        XCTAssertEqual(phase("PENDING", reason: "Priority"), .waiting(message: "waiting in Slurm's queue (Priority)"))
        XCTAssertEqual(phase("PENDING", reason: "None"), .waiting(message: nil))
        for reason in ["JobHeldAdmin", "PartitionTimeLimit", "DependencyNeverSatisfied", "InvalidAccount", "AssocGrpGRES", "QOSMaxJobsPerUserLimit"] {
            guard case .waiting(let message) = phase("PENDING", reason: reason) else { return XCTFail(reason) }
            XCTAssertTrue(message?.contains("may never start") == true, "\(reason): \(message ?? "nil")")
        }
        guard case .waiting(let resources) = phase("PENDING", reason: "Resources") else { return XCTFail() }
        XCTAssertFalse(resources?.contains("never") == true)
        for waiting in ["CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "RESIZING"] {
            guard case .waiting = phase(waiting) else { return XCTFail(waiting) }
        }
        for running in ["RUNNING", "COMPLETING", "SIGNALING", "STAGE_OUT"] { XCTAssertEqual(phase(running), .running(message: nil), running) }
        guard case .running(let suspended) = phase("SUSPENDED"), suspended?.contains("suspended") == true else { return XCTFail() }
        guard case .running(let unknown) = phase("SOMETHING_NEW"), unknown?.contains("SOMETHING_NEW") == true else { return XCTFail() }

        XCTAssertEqual(phase("COMPLETED", exit: 0), .ended(.complete, exitCode: 0, message: "completed under Slurm"))
        XCTAssertEqual(endState(phase("CANCELLED", exit: 0, signal: 15)), .canceled)
        XCTAssertEqual(endState(phase("PREEMPTED")), .preempted)
        XCTAssertEqual(endState(phase("NODE_FAIL")), .systemError)
        XCTAssertEqual(endState(phase("BOOT_FAIL")), .systemError)
        XCTAssertEqual(endState(phase("REVOKED")), .systemError)
        XCTAssertEqual(endState(phase("DEADLINE")), .executorError)
        guard case .ended(.executorError, nil, let timeout) = phase("TIMEOUT", reason: "TimeLimit") else { return XCTFail() }
        XCTAssertTrue(timeout.contains("TIMEOUT") && timeout.contains("time_limit_minutes"), timeout)
        guard case .ended(.executorError, nil, let memory) = phase("OUT_OF_MEMORY") else { return XCTFail() }
        XCTAssertTrue(memory.contains("memory_mb"), memory)
        // FAILED keeps the CLI's exit code and its meaning; a signal without a code becomes 128 + signal.
        guard case .ended(.executorError, 2, let failed) = phase("FAILED", reason: "NonZeroExitCode", exit: 2) else { return XCTFail() }
        XCTAssertTrue(failed.contains("invalid configuration") && failed.contains("FAILED"), failed)
        guard case .ended(.executorError, 137, _) = phase("FAILED", exit: 0, signal: 9) else { return XCTFail() }
    }

    func testSqueueJSONOfSlurm2205() throws {
        let queue = try SlurmQueueParser.parseSqueue(Data(contentsOf: Self.samples.appendingPathComponent("squeue-22.05-queue.json")))
        XCTAssertEqual(Set(queue.keys), ["1", "2", "3", "4", "5"])
        XCTAssertEqual(queue["1"], SlurmJobStatus(jobID: "1", name: "t1", state: "FAILED", reason: "NonZeroExitCode", exitCode: 3, signal: 0))
        XCTAssertEqual(queue["2"]?.state, "RUNNING")
        XCTAssertEqual(queue["3"]?.state, "COMPLETED")
        XCTAssertEqual(queue["4"]?.state, "CANCELLED")
        XCTAssertEqual(queue["4"]?.signal, 15)
        XCTAssertEqual(queue["5"]?.state, "PENDING")
        XCTAssertEqual(queue["5"]?.reason, "Resources")
        XCTAssertEqual(queue["5"]?.name, "ptychite-pending")
        let ended = try SlurmQueueParser.parseSqueue(Data(contentsOf: Self.samples.appendingPathComponent("squeue-22.05-ended.json")))
        XCTAssertEqual(ended["2"]?.state, "TIMEOUT")
        XCTAssertEqual(endState(SlurmJobState.phase(of: try XCTUnwrap(ended["2"]))), .executorError)
        XCTAssertThrowsError(try SlurmQueueParser.parseSqueue(Data("not json".utf8)))
        XCTAssertThrowsError(try SlurmQueueParser.parseSqueue(Data(#"{"errors": [{"error": "x"}], "jobs": []}"#.utf8)))
    }

    /// Slurm 23.02+ lists the state as an array with flags and wraps numbers.
    func testSqueueJSONOfNewerSlurm() throws {
        let json = #"""
        {"errors": [], "jobs": [{"job_id": 12, "name": "ptychite-x", "job_state": ["CANCELLED", "COMPLETING"],
          "state_reason": "None", "exit_code": {"status": ["SIGNALED"], "return_code": {"set": true, "number": 0},
          "signal": {"id": {"set": true, "number": 15}, "name": "TERM"}}}]}
        """#
        let queue = try SlurmQueueParser.parseSqueue(Data(json.utf8))
        XCTAssertEqual(queue["12"], SlurmJobStatus(jobID: "12", name: "ptychite-x", state: "CANCELLED", flags: ["COMPLETING"],
                                                   reason: "None", exitCode: 0, signal: 15))
    }

    func testScontrolAndSbatchOutput() {
        let line = "JobId=1 JobName=t1 UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=3:0 RunTime=00:00:03 Command=/tmp/a b/s.sh"
        XCTAssertEqual(SlurmQueueParser.parseScontrol(line),
                       SlurmJobStatus(jobID: "1", name: "t1", state: "FAILED", reason: "NonZeroExitCode", exitCode: 3, signal: 0))
        XCTAssertNil(SlurmQueueParser.parseScontrol("slurm_load_jobs error: Invalid job id specified"))
        XCTAssertEqual(SlurmQueueParser.parseSbatch("42\n"), "42")
        XCTAssertEqual(SlurmQueueParser.parseSbatch("42;cluster\n"), "42")
        XCTAssertNil(SlurmQueueParser.parseSbatch("sbatch: error: Batch job submission failed"))
    }

    func makeScript(resources: JobResources, settings: SlurmSettings = SlurmSettings()) -> SlurmBatchScript {
        SlurmBatchScript(folder: JobFolder(stateDirectory: "/shared/it's state", id: "0b4b4f0e-8c1e-4f51-9a43-5e4f4bc1a111"),
                         jobID: "0b4b4f0e-8c1e-4f51-9a43-5e4f4bc1a111", resources: resources, settings: settings,
                         executablePath: "/opt/ptychite/bin/ptychite", dataDirectory: "/data")
    }

    /// Options come from the job's resources (defaults and maxima applied by the policy first) and the
    /// operator's settings, one argument each.
    func testSbatchArgumentsFromResourcesWithDefaultsAndMaxima() throws {
        var policy = ResourcePolicy()
        policy.defaults = JobResources(cpus: 2, memoryMB: 4000, gpus: 0, timeLimitMinutes: 30)
        policy.maxima = JobResources(cpus: 16, memoryMB: 64000, gpus: 2, timeLimitMinutes: 600)
        var settings = SlurmSettings()
        settings.partition = "gpu"
        settings.account = "p12345"
        let resources = try policy.effective(JobResources(gpus: 1, timeLimitMinutes: 90))
        XCTAssertEqual(resources, JobResources(cpus: 2, memoryMB: 4000, gpus: 1, timeLimitMinutes: 90))
        let script = makeScript(resources: resources, settings: settings)
        let folder = "/shared/it's state/jobs/0b4b4f0e-8c1e-4f51-9a43-5e4f4bc1a111"
        XCTAssertEqual(script.sbatchArguments, [
            "--parsable", "--job-name=ptychite-0b4b4f0e-8c1e-4f51-9a43-5e4f4bc1a111", "--chdir=\(folder)",
            "--output=\(folder)/slurm.out", "--nodes=1", "--ntasks=1", "--partition=gpu", "--account=p12345",
            "--time=90", "--cpus-per-task=2", "--mem=4000M", "--gres=gpu:1", "\(folder)/job.sbatch"])
        let cpuOnly = makeScript(resources: try policy.effective(JobResources())).sbatchArguments
        XCTAssertFalse(cpuOnly.contains { $0.hasPrefix("--gres") || $0.hasPrefix("--partition") || $0.hasPrefix("--account") }, "\(cpuOnly)")
        XCTAssertTrue(cpuOnly.contains("--time=30"))
        XCTAssertThrowsError(try policy.effective(JobResources(gpus: 3))) { error in
            XCTAssertEqual((error as? ResourceError)?.field, "resources.gpus")
        }
    }

    /// Paths are single-quoted (a quote inside survives), ptychite's output goes to the job's files, the
    /// checkpoint is resumed when present, and the exit marker is written; the image runs through apptainer.
    func testBatchScriptQuotesAndRunsPtychite() throws {
        XCTAssertEqual(SlurmBatchScript.quoted("it's"), #"'it'\''s'"#)
        let text = makeScript(resources: JobResources(cpus: 4)).text
        XCTAssertTrue(text.hasPrefix("#!/bin/bash\n"))
        XCTAssertTrue(text.contains(#"cd '/shared/it'\''s state/jobs/0b4b4f0e-8c1e-4f51-9a43-5e4f4bc1a111' || exit 1"#), text)
        XCTAssertTrue(text.contains("'/opt/ptychite/bin/ptychite' reconstruct --config"), text)
        XCTAssertTrue(text.contains("--resume"), text)
        XCTAssertTrue(text.contains("/progress.jsonl'"), text)
        XCTAssertTrue(text.contains("export OMP_NUM_THREADS=4"), text)
        XCTAssertTrue(text.contains("/exit-code'"), text)
        var settings = SlurmSettings()
        settings.image = "/images/ptychite.sif"
        let contained = makeScript(resources: JobResources(), settings: settings).text
        XCTAssertTrue(contained.contains("apptainer exec --nv --bind '/data:/data:ro' --bind '/shared/it'\\''s state/jobs/0b4b4f0e-8c1e-4f51-9a43-5e4f4bc1a111' '/images/ptychite.sif' ptychite reconstruct"), contained)
        XCTAssertFalse(contained.contains("/opt/ptychite/bin/ptychite"))
        // The script is valid bash.
        let directory = try TemporaryDirectory()
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory.file("job.sbatch")))
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/bin/bash")
        check.arguments = ["-n", directory.file("job.sbatch")]
        try check.run()
        check.waitUntilExit()
        XCTAssertEqual(check.terminationStatus, 0)
    }

    /// The exit marker the script leaves is what the executor reads after Slurm forgot the job.
    func testExitMarker() throws {
        let directory = try TemporaryDirectory()
        let folder = JobFolder(stateDirectory: directory.path, id: UUID().uuidString.lowercased())
        try folder.create()
        XCTAssertNil(SlurmBatchScript.exitMarker(folder))
        try Data("3\n".utf8).write(to: URL(fileURLWithPath: SlurmBatchScript.exitMarkerPath(folder)))
        XCTAssertEqual(SlurmBatchScript.exitMarker(folder), 3)
    }
}
