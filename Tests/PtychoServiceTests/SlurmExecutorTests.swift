import Foundation
import PtychoIO
import PtychoService
import PtychoTestSupport
import XCTest

/// The real `ptychite serve` with `PTYCHITE_EXECUTOR=slurm` against a real single-node Slurm (munged,
/// slurmctld, slurmd) that `Tests/slurm/slurm-cluster.sh` starts once for the class and stops at its end
/// (exactly the daemons it recorded). Skipped, with the script's reason, where that cannot run (not
/// root, Slurm or munge not installed, port taken); a cluster that should start and does not fails.
final class SlurmExecutorTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("slurm/slurm-cluster.sh").path
    nonisolated(unsafe) static var clusterState: TemporaryDirectory?
    nonisolated(unsafe) static var slurmConf: String?
    nonisolated(unsafe) static var skipReason: String?
    nonisolated(unsafe) static var startFailure: String?
    nonisolated(unsafe) static var data: TemporaryDirectory?

    override class func setUp() {
        super.setUp()
        do {
            let state = try TemporaryDirectory(prefix: "ptychite-slurm-cluster-")
            clusterState = state
            let (status, output) = try runScript("start", state.path)
            switch status {
            case 0:
                slurmConf = output.split(separator: "\n").last { $0.hasPrefix("SLURM_CONF=") }.map { String($0.dropFirst(11)) }
                if slurmConf == nil { startFailure = "the cluster script printed no SLURM_CONF line: \(output)" }
            case 77:
                skipReason = "no single-node Slurm here: " + output.trimmingCharacters(in: .whitespacesAndNewlines)
            default:
                startFailure = "the Slurm cluster did not start (status \(status)): \(output)"
            }
            if slurmConf != nil {
                let folder = try TemporaryDirectory(prefix: "ptychite-slurm-data-")
                data = folder
                if try PtychiteBinary.run(["simulate", folder.file("data.cxi"), "--frames", "60", "--frame-size", "64"]) != 0 {
                    startFailure = "ptychite simulate failed"
                }
            }
        } catch {
            startFailure = "cannot run \(script): \(error)"
        }
    }

    override class func tearDown() {
        if let state = clusterState {
            let recorded = (try? String(contentsOfFile: state.file("pids"), encoding: .utf8)) ?? ""
            let (status, output) = (try? runScript("stop", state.path)) ?? (-1, "")
            // Every daemon the script recorded is gone; report loudly otherwise (XCTest has no test to fail here).
            let survivors = recorded.split(separator: "\n").compactMap { line -> String? in
                let parts = line.split(separator: " ")
                guard parts.count == 2, let pid = Int32(parts[1]), kill(pid, 0) == 0,
                      (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix(String(parts[0])) == true else { return nil }
                return String(line)
            }
            FileHandle.standardError.write(Data("slurm-cluster.sh stop: status \(status)\n\(output)\(survivors.isEmpty ? "" : "STILL RUNNING: \(survivors)\n")".utf8))
        }
        clusterState = nil
        data = nil
        super.tearDown()
    }

    /// Runs the cluster script, returning its status and its standard output and error together.
    /// `ChildProcess` (posix_spawn, its own waitpid) rather than `Process`, whose reaping was seen to stall
    /// here once the script had started daemons.
    static func runScript(_ action: String, _ state: String) throws -> (Int32, String) {
        let errorPath = NSTemporaryDirectory() + "/ptychite-slurm-script-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let child = try ChildProcess(executable: "/bin/bash", arguments: [script, action, state], stderrPath: errorPath)
        final class Box: @unchecked Sendable { var lines: [String] = []; var status: Int32 = -1 }
        let box = Box(), done = DispatchSemaphore(value: 0)
        Task.detached {
            for await event in child.events() {
                switch event {
                case .line(let line): box.lines.append(line)
                case .exited(.exited(let code)): box.status = code
                case .exited(.signaled(let signal)): box.status = 128 + signal
                }
            }
            done.signal()
        }
        guard done.wait(timeout: .now() + 120) == .success else { throw TestFailure("\(script) \(action) did not finish in 120 s") }
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return (box.status, (box.lines + [errors]).joined(separator: "\n"))
    }

    override func setUpWithError() throws {
        if let reason = Self.skipReason { throw XCTSkip(reason) }
        if let failure = Self.startFailure { XCTFail(failure); throw XCTSkip("the cluster is not available") }
    }

    func startServer(state: TemporaryDirectory) throws -> ServerProcess {
        try ServerProcess(data: Self.data!.path, state: state.path, maxJobs: 4, environment: [
            "PTYCHITE_EXECUTOR": "slurm", "SLURM_CONF": Self.slurmConf!, "PTYCHITE_SLURM_POLL_SECONDS": "1",
            "PTYCHITE_DEFAULT_MEMORY_MB": "800", "PTYCHITE_DEFAULT_TIME_LIMIT_MINUTES": "5", "PTYCHITE_MAX_CPUS": "2",
        ])
    }

    func submit(_ server: ServerProcess, engine: String, resources: String = "{}") throws -> String {
        let (status, body) = try server.request("api/v1/jobs", method: "POST", body: #"""
            {"input": "data.cxi", "engine": "\#(engine)", "probe_diameter": 3e-6, "resources": \#(resources)}
            """#)
        XCTAssertEqual(status, 201, String(decoding: body, as: UTF8.self))
        return try XCTUnwrap((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["id"] as? String)
    }

    /// Polls (bounded) until the job satisfies `condition`; returns the last record.
    func waitFor(_ server: ServerProcess, _ id: String, timeout: TimeInterval, _ what: String,
                 _ condition: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        var job: [String: Any] = [:]
        while Date() < deadline {
            job = try server.json("api/v1/jobs/\(id)")
            if condition(job) { return job }
            usleep(200_000)
        }
        XCTFail("job \(id): \(what) within \(timeout) s: \(job)")
        return job
    }

    static func executor(_ job: [String: Any]) -> [String: Any] { job["executor"] as? [String: Any] ?? [:] }

    /// What Slurm itself says about the job (scontrol, which the test runs against the same cluster).
    func slurmState(_ slurmID: String) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/scontrol")
        process.arguments = ["show", "job", "-o", slurmID]
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_CONF"] = Self.slurmConf
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return SlurmQueueParser.parseScontrol(text)?.state
    }

    func testJobRunsUnderSlurmToCompleteAndItsResultDownloads() throws {
        let state = try TemporaryDirectory(prefix: "ptychite-slurm-state-")
        let server = try startServer(state: state)
        let id = try submit(server, engine: "DM:5,ePIE:2", resources: #"{"cpus": 1, "memory_mb": 600, "time_limit_minutes": 3}"#)
        let job = try server.waitForTerminal("api/v1/jobs/\(id)", timeout: 120)
        XCTAssertEqual(job["state"] as? String, "COMPLETE", "\(job)")
        XCTAssertEqual(job["exit_code"] as? Int, 0)
        XCTAssertEqual((job["progress"] as? [String: Any])?["iteration"] as? Int, 7, "\(job)")
        let executor = Self.executor(job)
        XCTAssertEqual(executor["kind"] as? String, "slurm")
        XCTAssertEqual(executor["native_state"] as? String, "COMPLETED", "\(job)")
        let slurmID = try XCTUnwrap(executor["slurm_job_id"] as? String)
        XCTAssertEqual(try slurmState(slurmID), "COMPLETED")
        XCTAssertEqual(job["resources"] as? [String: Int], ["cpus": 1, "memory_mb": 600, "gpus": 0, "time_limit_minutes": 3])
        // The batch script asked Slurm for exactly those resources.
        let script = try String(contentsOfFile: state.file("jobs/\(id)/job.sbatch"), encoding: .utf8)
        XCTAssertTrue(script.contains("reconstruct --config"), script)

        let (status, body) = try server.request("api/v1/jobs/\(id)/results")
        XCTAssertEqual(status, 200)
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: body) as? [[String: Any]])
        let entry = try XCTUnwrap(manifest.first { $0["name"] as? String == "result.h5" }, "\(manifest)")
        let (downloadStatus, file) = try server.request(String(try XCTUnwrap(entry["href"] as? String).dropFirst()))
        XCTAssertEqual(downloadStatus, 200)
        XCTAssertEqual(file.count, entry["size"] as? Int)
        let downloaded = state.file("downloaded.h5")
        try file.write(to: URL(fileURLWithPath: downloaded))
        XCTAssertEqual(try ResultReader().read(path: downloaded).history.count, 7)
        // The state stream ends with COMPLETE and shows the Slurm job on the way.
        let (_, events) = try server.request("api/v1/jobs/\(id)/events")
        let states = SentEvent.parse(String(decoding: events, as: UTF8.self)).filter { $0.name == "state" }.compactMap { SentEvent.state($0.data) }
        XCTAssertEqual(states.first, "QUEUED")
        XCTAssertEqual(states.last, "COMPLETE")
        XCTAssertTrue(states.contains("RUNNING"), "\(states)")
        XCTAssertEqual(server.terminate(), 0)
    }

    func testCancelEndsCanceledInSlurmAndInTheAPI() throws {
        let state = try TemporaryDirectory(prefix: "ptychite-slurm-state-")
        let server = try startServer(state: state)
        let id = try submit(server, engine: "DM:100000")
        let running = try waitFor(server, id, timeout: 60, "RUNNING under Slurm") {
            $0["state"] as? String == "RUNNING" && Self.executor($0)["native_state"] as? String == "RUNNING"
        }
        let slurmID = try XCTUnwrap(Self.executor(running)["slurm_job_id"] as? String)
        let (status, _) = try server.request("api/v1/jobs/\(id)/cancel", method: "POST")
        XCTAssertEqual(status, 202)
        let job = try server.waitForTerminal("api/v1/jobs/\(id)", timeout: 60)
        XCTAssertEqual(job["state"] as? String, "CANCELED", "\(job)")
        XCTAssertEqual(job["message"] as? String, "canceled by the user")
        XCTAssertEqual(Self.executor(job)["native_state"] as? String, "CANCELLED")
        XCTAssertEqual(try slurmState(slurmID), "CANCELLED")
        XCTAssertEqual(server.terminate(), 0)
    }

    /// Slurm's time limit is whole minutes and its timer runs every ~30 s: this test takes 60–100 s.
    func testTimeLimitEndsWithSlurmTimeout() throws {
        let state = try TemporaryDirectory(prefix: "ptychite-slurm-state-")
        let server = try startServer(state: state)
        let id = try submit(server, engine: "DM:1000000", resources: #"{"time_limit_minutes": 1}"#)
        let job = try server.waitForTerminal("api/v1/jobs/\(id)", timeout: 150)
        XCTAssertEqual(job["state"] as? String, "EXECUTOR_ERROR", "\(job)")
        XCTAssertEqual(Self.executor(job)["native_state"] as? String, "TIMEOUT", "\(job)")
        XCTAssertTrue((job["message"] as? String ?? "").contains("time limit"), "\(job)")
        XCTAssertEqual(try slurmState(try XCTUnwrap(Self.executor(job)["slurm_job_id"] as? String)), "TIMEOUT")
        XCTAssertEqual(server.terminate(), 0)
    }

    /// The service dies (kill -9) while Slurm runs the job; the next service follows the same Slurm job
    /// (not a second one) and reports its completion.
    func testKilledServiceFollowsTheSlurmJobAfterARestart() throws {
        let state = try TemporaryDirectory(prefix: "ptychite-slurm-state-")
        var server = try startServer(state: state)
        let id = try submit(server, engine: "DM:400")
        let running = try waitFor(server, id, timeout: 60, "RUNNING under Slurm") {
            Self.executor($0)["native_state"] as? String == "RUNNING"
        }
        let slurmID = try XCTUnwrap(Self.executor(running)["slurm_job_id"] as? String)
        server.kill9()
        server = try startServer(state: state)
        let job = try server.waitForTerminal("api/v1/jobs/\(id)", timeout: 120)
        XCTAssertEqual(job["state"] as? String, "COMPLETE", "\(job)")
        XCTAssertEqual(job["attempts"] as? Int, 1, "the job must not have been submitted again")
        XCTAssertEqual(Self.executor(job)["slurm_job_id"] as? String, slurmID)
        XCTAssertEqual((job["progress"] as? [String: Any])?["iteration"] as? Int, 400, "\(job)")
        XCTAssertEqual(try slurmState(slurmID), "COMPLETED")
        XCTAssertEqual(server.terminate(), 0)
    }

    /// A graceful stop leaves Slurm jobs running (they outlive the service), and the next start follows them.
    func testGracefulStopLeavesTheSlurmJobRunning() throws {
        let state = try TemporaryDirectory(prefix: "ptychite-slurm-state-")
        var server = try startServer(state: state)
        let id = try submit(server, engine: "DM:100000")
        let running = try waitFor(server, id, timeout: 60, "RUNNING under Slurm") {
            Self.executor($0)["native_state"] as? String == "RUNNING"
        }
        let slurmID = try XCTUnwrap(Self.executor(running)["slurm_job_id"] as? String)
        XCTAssertEqual(server.terminate(), 0)
        XCTAssertEqual(try slurmState(slurmID), "RUNNING")
        server = try startServer(state: state)
        XCTAssertEqual(try server.json("api/v1/jobs/\(id)")["state"] as? String, "RUNNING")
        let (status, _) = try server.request("api/v1/jobs/\(id)/cancel", method: "POST")
        XCTAssertEqual(status, 202)
        let job = try server.waitForTerminal("api/v1/jobs/\(id)", timeout: 60)
        XCTAssertEqual(job["state"] as? String, "CANCELED", "\(job)")
        XCTAssertEqual(server.terminate(), 0)
    }
}

/// The cluster script's `stop` without a cluster: it stops exactly the processes recorded in its pid
/// file whose name matches, and nothing else (not a process that took over a recorded pid's number).
final class SlurmClusterScriptTests: XCTestCase {
    func testStopKillsOnlyTheRecordedDaemons() throws {
        let state = try TemporaryDirectory(prefix: "ptychite-slurm-stop-")
        func sleeper() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sleep")
            process.arguments = ["60"]
            try process.run()
            return process
        }
        let recorded = try sleeper(), impostor = try sleeper(), unrelated = try sleeper()
        defer { for process in [recorded, impostor, unrelated] where process.isRunning { process.terminate() } }
        // `impostor`'s pid is recorded under another daemon's name: the script must leave it alone.
        try Data("sleep \(recorded.processIdentifier)\nslurmd \(impostor.processIdentifier)\n".utf8)
            .write(to: URL(fileURLWithPath: state.file("pids")))
        let (status, output) = try SlurmExecutorTests.runScript("stop", state.path)
        XCTAssertEqual(status, 0, output)
        recorded.waitUntilExit()
        XCTAssertFalse(recorded.isRunning)
        XCTAssertTrue(impostor.isRunning, output)
        XCTAssertTrue(unrelated.isRunning)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state.file("pids")))
        XCTAssertTrue(output.contains("stopped sleep (pid \(recorded.processIdentifier))"), output)
    }
}
