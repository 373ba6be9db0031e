#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// What an executor needs to run one job.
public struct JobLaunch: Sendable {
    public let id: String
    public let folder: JobFolder
    /// What the job may use (all fields set for a stored job; empty when a caller has no policy).
    public let resources: JobResources
    /// The executor's own id of a job that is already running there (a Slurm job id after a service
    /// restart): the executor follows that job instead of starting a new one. Only for executors whose
    /// `followsJobsAcrossRestarts` is true.
    public let reattach: String?
    /// What executors that run jobs elsewhere report besides progress (Slurm job id, native state).
    public let reports: ExecutorReports

    public init(id: String, folder: JobFolder, resources: JobResources = JobResources(), reattach: String? = nil,
                reports: ExecutorReports = ExecutorReports()) {
        self.id = id
        self.folder = folder
        self.resources = resources
        self.reattach = reattach
        self.reports = reports
    }
}

/// Callbacks of executors that hand jobs to a batch system. `submitted` is called once with the batch
/// system's job id, before any `native`; `native` is called whenever the native state or reason changes.
public struct ExecutorReports: Sendable {
    public var submitted: @Sendable (String) async -> Void
    public var native: @Sendable (SlurmJobStatus, SlurmPhase) async -> Void

    public init(submitted: @escaping @Sendable (String) async -> Void = { _ in },
                native: @escaping @Sendable (SlurmJobStatus, SlurmPhase) async -> Void = { _, _ in }) {
        self.submitted = submitted
        self.native = native
    }
}

/// How a job's run ended, as the executor saw it (the scheduler maps it to a `JobState`).
public enum ExecutionOutcome: Sendable, Equatable {
    case finished(ChildTermination, lastErrorLine: String?)
    /// The child could not be started at all.
    case launchFailed(String)
    /// The executor decided the job's state itself (a batch system's final state, mapped).
    case resolved(JobState, exitCode: Int?, message: String?)
    /// The executor stopped following a job that goes on without the service (service shutdown under
    /// Slurm): the job record stays as it is, and the next start reattaches to it.
    case detached
}

/// Runs jobs somewhere (a local child process, `LocalExecutor`; a Slurm batch job, `SlurmExecutor`).
///
/// Contract: `run` returns exactly once per call, after the job has ended, whatever happened (it never
/// throws); `started` is called once with the process id before any `progress`; progress lines arrive in
/// the order the child printed them. A `cancel` that arrives before the job's process exists applies as
/// soon as it starts (the scheduler cancels INITIALIZING jobs too).
public protocol JobExecutor: Sendable {
    func run(_ launch: JobLaunch, started: @escaping @Sendable (Int) async -> Void,
             progress: @escaping @Sendable (String) async -> Void) async -> ExecutionOutcome
    /// SIGTERM to the job's process group, SIGKILL after `grace` seconds if it is still running.
    func cancel(jobID: String, grace: Double) async
    /// Cancels every running job the same way (service shutdown); an executor whose jobs outlive the
    /// service instead stops following them (their runs return `.detached`).
    func terminateAll(grace: Double) async
    /// True when jobs keep running while the service is down and `JobLaunch.reattach` follows them again.
    var followsJobsAcrossRestarts: Bool { get }
}

extension JobExecutor {
    public var followsJobsAcrossRestarts: Bool { false }
}

/// Runs `ptychite reconstruct --config job.json --progress jsonl` as a child in its own process group, or
/// `ptychite reconstruct --resume <checkpoint>` when an earlier attempt left a checkpoint.
/// Standard error goes to the job's log, standard output lines are appended to its progress file.
public actor LocalExecutor: JobExecutor {
    private let executablePath: String
    private var children: [String: ChildProcess] = [:]
    /// Cancels that arrived before the child was registered (the job was still INITIALIZING).
    private var earlyCancels: [String: Double] = [:]

    public init(executablePath: String) {
        self.executablePath = executablePath
    }

    public func run(_ launch: JobLaunch, started: @escaping @Sendable (Int) async -> Void,
                    progress: @escaping @Sendable (String) async -> Void) async -> ExecutionOutcome {
        let folder = launch.folder
        let child: ChildProcess
        do {
            let arguments = folder.hasCheckpoint
                ? ["reconstruct", "--resume", folder.checkpointFile, "-o", folder.resultFile, "--progress", "jsonl"]
                : ["reconstruct", "--config", folder.configurationFile, "--progress", "jsonl"]
            child = try ChildProcess(executable: executablePath, arguments: arguments, stderrPath: folder.logFile)
        } catch {
            earlyCancels[launch.id] = nil
            return .launchFailed("\(error)")
        }
        children[launch.id] = child
        await started(Int(child.pid))
        if let grace = earlyCancels.removeValue(forKey: launch.id) { await cancel(jobID: launch.id, grace: grace) }
        _ = FileManager.default.createFile(atPath: folder.progressFile, contents: nil)
        let progressFile = FileHandle(forWritingAtPath: folder.progressFile)
        _ = try? progressFile?.seekToEnd()
        var termination = ChildTermination.signaled(SIGKILL)
        for await event in child.events() {
            switch event {
            case .line(let line):
                try? progressFile?.write(contentsOf: Data((line + "\n").utf8))
                await progress(line)
            case .exited(let status):
                termination = status
            }
        }
        try? progressFile?.close()
        if children[launch.id] === child { children[launch.id] = nil }
        return .finished(termination, lastErrorLine: folder.lastLogLine())
    }

    public func cancel(jobID: String, grace: Double) async {
        guard let child = children[jobID] else {
            earlyCancels[jobID] = grace
            return
        }
        child.signalGroup(SIGTERM)
        Task {
            try? await Task.sleep(nanoseconds: UInt64(max(0, grace) * 1e9))
            self.killIfStillRunning(jobID: jobID, child: child)
        }
    }

    public func terminateAll(grace: Double) async {
        for id in children.keys { await cancel(jobID: id, grace: grace) }
    }

    private func killIfStillRunning(jobID: String, child: ChildProcess) {
        if children[jobID] === child { child.signalGroup(SIGKILL) }
    }
}
