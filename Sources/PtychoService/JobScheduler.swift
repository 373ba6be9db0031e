#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// Starts queued jobs in submission order, at most `maxJobs` at a time, and records every state change.
///
/// Invariants: a job is in `active` exactly while an executor run for it is in flight; only the scheduler
/// moves jobs out of QUEUED/INITIALIZING/RUNNING/CANCELING; no job leaves the store except by `DELETE`
/// of a terminal job. After `shutdown()` nothing new starts, and jobs interrupted by it go back to QUEUED.
public actor JobScheduler {
    private let store: any JobStore
    private let executor: any JobExecutor
    private let stateDirectory: String
    private let maxJobs: Int
    private let cancelGrace: Double
    private let logger: Logger
    private var active: Set<String> = []
    private var cancelRequested: Set<String> = []
    private var shuttingDown = false
    /// Told every progress line and the end of every run (iterations metrics); nil in bare schedulers.
    private let metrics: ServiceMetrics?

    public init(store: any JobStore, executor: any JobExecutor, stateDirectory: String, maxJobs: Int,
                cancelGrace: Double, logger: Logger, metrics: ServiceMetrics? = nil) {
        self.metrics = metrics
        self.store = store
        self.executor = executor
        self.stateDirectory = stateDirectory
        self.maxJobs = maxJobs
        self.cancelGrace = cancelGrace
        self.logger = logger
    }

    public func folder(for id: String) -> JobFolder { JobFolder(stateDirectory: stateDirectory, id: id) }

    /// After a start: jobs a dead service left running are restarted (their orphaned child, if it is still
    /// alive, is killed first), jobs left canceling are canceled, and the queue starts. Under an executor
    /// whose jobs outlive the service (Slurm), a job it had already handed over is followed again instead
    /// (`reattach`), and one left canceling is canceled there.
    public func recover() async throws {
        for job in try store.jobs(inStates: [.initializing, .running, .canceling]) {
            if let slurmID = job.slurmJobID {
                try await reattach(job, slurmID: slurmID)
                continue
            }
            if let pid = job.pid { Self.killOrphan(pid: pid, folder: folder(for: job.id)) }
            // The dead child's last lines become events before the state change that follows them.
            JobLogIngester.ingest(store: store, id: job.id, folder: folder(for: job.id), final: true)
            if job.state == .canceling {
                try store.update(id: job.id) {
                    $0.state = .canceled; $0.endedAt = Date(); $0.pid = nil
                    $0.message = "canceled (the service restarted while the job was being canceled)"
                }
            } else {
                let resumes = folder(for: job.id).hasCheckpoint
                try store.update(id: job.id) {
                    $0.state = .queued; $0.pid = nil; $0.progress = nil
                    $0.message = resumes
                        ? "will resume from its last checkpoint: the service stopped while the job ran (attempt \($0.attempts))"
                        : "restarted from the beginning: the service stopped while the job ran (attempt \($0.attempts))"
                }
                logger.info("re-queued job \(job.id) left \(job.state.rawValue) by a previous service")
            }
        }
        schedule()
    }

    /// Follows a job that a previous service handed to Slurm. Under an executor that cannot follow it
    /// (the service now runs `local`), the job ends `SYSTEM_ERROR` with a message instead of running twice.
    private func reattach(_ job: JobRecord, slurmID: String) async throws {
        guard executor.followsJobsAcrossRestarts else {
            try store.update(id: job.id) {
                $0.state = .systemError; $0.endedAt = Date()
                $0.message = "the job was handed to Slurm (job \(slurmID)) but the service now runs the local executor; it is no longer followed"
            }
            return
        }
        active.insert(job.id)
        if job.state == .canceling { cancelRequested.insert(job.id) }
        logger.info("following Slurm job \(slurmID) (job \(job.id)) again after a restart")
        Task { await self.execute(id: job.id, reattach: slurmID) }
        if job.state == .canceling { await executor.cancel(jobID: job.id, grace: cancelGrace) }
    }

    /// Idempotent: a queued job is canceled at once, a running one goes CANCELING until its child exits.
    @discardableResult
    public func cancel(id: String) async throws -> JobRecord? {
        guard let job = try store.job(id: id) else { return nil }
        switch job.state {
        case .queued:
            return try store.update(id: id) { $0.state = .canceled; $0.endedAt = Date(); $0.message = "canceled before it started" }
        case .initializing, .running:
            cancelRequested.insert(id)
            let updated = try store.update(id: id) { $0.state = .canceling }
            await executor.cancel(jobID: id, grace: cancelGrace)
            return updated
        default:
            return job
        }
    }

    /// Stops starting jobs and stops the running ones; they are re-queued for the next start.
    public func shutdown(timeout: Double) async {
        shuttingDown = true
        await executor.terminateAll(grace: min(cancelGrace, timeout))
        let deadline = Date().addingTimeInterval(timeout + 1)
        while !active.isEmpty && Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
    }

    /// Starts queued jobs while there is room.
    public func schedule() {
        guard !shuttingDown else { return }
        guard active.count < maxJobs else { return }
        let queued: [JobRecord]
        do { queued = try store.jobs(inStates: [.queued]) } catch {
            logger.error("cannot read the queue: \(error)")
            return
        }
        for job in queued where active.count < maxJobs && !active.contains(job.id) {
            active.insert(job.id)
            let started = try? store.update(id: job.id) {
                $0.state = .initializing; $0.startedAt = Date(); $0.attempts += 1; $0.exitCode = nil
            }
            guard started != nil else { active.remove(job.id); continue }
            Task { await self.execute(id: job.id) }
        }
    }

    private func execute(id: String, reattach: String? = nil) async {
        let store = self.store, jobFolder = folder(for: id), metrics = self.metrics
        let resources = (try? store.job(id: id))?.decodedResources ?? JobResources()
        let throttle = ProgressThrottle()
        // Follows the log while the child runs; the final read below, before the job's last state change,
        // keeps the terminal state the last event of the job.
        let logFollower = Task.detached {
            while !Task.isCancelled {
                JobLogIngester.ingest(store: store, id: id, folder: jobFolder, final: false)
                try? await Task.sleep(nanoseconds: 250_000_000)
            }
        }
        let outcome = await executor.run(
            JobLaunch(id: id, folder: jobFolder, resources: resources, reattach: reattach,
                      reports: Self.reports(store: store, id: id)),
            started: { pid in
                _ = try? store.update(id: id) { if $0.state == .initializing { $0.state = .running }; $0.pid = pid }
            },
            progress: { line in
                guard let progress = JobProgress.parse(line: line) else { return }
                metrics?.recordProgress(jobID: id, progress)
                guard throttle.shouldWrite(progress, line: line) else { return }
                // Progress proves the job runs, even where a batch system's poll never caught it running
                // (a short Slurm job can start and end between two polls).
                _ = try? store.update(id: id) { if $0.state == .initializing { $0.state = .running }; $0.progress = line }
            })
        metrics?.jobStopped(jobID: id)
        logFollower.cancel()
        await logFollower.value
        // A detached job is still writing its log: only complete lines are taken.
        JobLogIngester.ingest(store: store, id: id, folder: jobFolder, final: outcome != .detached)
        if let last = throttle.lastLine { _ = try? store.update(id: id) { $0.progress = last } }
        finish(id: id, outcome: outcome)
    }

    /// Records what a batch executor reports: the Slurm job id, then native state changes. The native
    /// phase moves the job between INITIALIZING (waiting in Slurm's queue) and RUNNING, except while it
    /// is being canceled; its final state is left to `finish`.
    static func reports(store: any JobStore, id: String) -> ExecutorReports {
        ExecutorReports(
            submitted: { slurmID in
                _ = try? store.update(id: id) { $0.slurmJobID = slurmID; $0.executor = "slurm" }
            },
            native: { status, phase in
                _ = try? store.update(id: id) { job in
                    job.nativeState = ([status.state] + status.flags).joined(separator: ",")
                    job.nativeReason = status.reason
                    guard job.state == .initializing || job.state == .running else { return }
                    switch phase {
                    case .waiting(let message): job.state = .initializing; job.message = message
                    case .running(let message): job.state = .running; job.message = message
                    case .ended: break
                    }
                }
            })
    }

    private func finish(id: String, outcome: ExecutionOutcome) {
        if outcome == .detached {
            // The job goes on without the service (Slurm); its record stays as it is for the next start.
            cancelRequested.remove(id)
            logger.info("stopped following job \(id); it goes on in Slurm")
            active.remove(id)
            return
        }
        let canceled = cancelRequested.remove(id) != nil
        // A batch system's final state (`.resolved`) is the job's end even during a shutdown.
        var resolved = false
        if case .resolved = outcome { resolved = true }
        let interruptedByShutdown = shuttingDown && !canceled && !resolved
        let (state, exitCode, message) = Self.mapOutcome(outcome, canceled: canceled)
        _ = try? store.update(id: id) {
            $0.pid = nil
            if interruptedByShutdown && state != .complete {
                $0.state = .queued
                $0.message = "interrupted by a service shutdown; it will restart when the service starts again"
                return
            }
            $0.state = state; $0.exitCode = exitCode; $0.message = message; $0.endedAt = Date()
            if state == .complete && $0.attempts > 1 {
                $0.message = "completed on attempt \($0.attempts) (continued after the service stopped)"
            }
        }
        logger.info("job \(id) ended: \(state.rawValue)\(message.map { " (\($0))" } ?? "")")
        active.remove(id)
        schedule()
    }

    /// The contract's mapping of exit codes to states.
    public static func mapOutcome(_ outcome: ExecutionOutcome, canceled: Bool) -> (JobState, Int?, String?) {
        switch outcome {
        case .launchFailed(let reason):
            return (.systemError, nil, reason)
        case .resolved(.canceled, let exitCode, _) where canceled:
            return (.canceled, exitCode, "canceled by the user")
        case .resolved(let state, let exitCode, let message):
            return (state, exitCode, message)
        case .detached:
            return (.systemError, nil, "the executor stopped following the job")
        case .finished(.exited(0), _):
            return (.complete, 0, nil)
        case .finished(.exited(let code), _) where canceled && (code == 143 || code == 130):
            return (.canceled, Int(code), "canceled by the user")
        case .finished(.signaled(let signal), _) where canceled && (signal == SIGTERM || signal == SIGKILL):
            return (.canceled, 128 + Int(signal), "canceled by the user")
        case .finished(.exited(let code), let line):
            let what = ExitMeaning.describe(Int(code))
            return (.executorError, Int(code), line.map { "\(what): \($0)" } ?? what)
        case .finished(.signaled(let signal), let line):
            return (.executorError, 128 + Int(signal),
                    "the reconstruction was killed by signal \(signal)" + (line.map { " (last log line: \($0))" } ?? ""))
        }
    }

    /// Kills the process group of a child a dead service left behind, but only if `/proc` shows that the
    /// process is still that job's `ptychite` (its command line names the job's configuration file).
    static func killOrphan(pid: Int, folder: JobFolder) {
        guard pid > 1, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return }
        let commandLine = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
        guard commandLine.contains(folder.configurationFile) else { return }
        kill(-pid_t(pid), SIGKILL)
        kill(pid_t(pid), SIGKILL)
        for _ in 0..<100 where FileManager.default.fileExists(atPath: "/proc/\(pid)/cmdline") { usleep(20_000) }
    }
}

/// Limits progress writes to the store to a few per second; remembers the last line so that it is
/// written when the job ends.
final class ProgressThrottle: @unchecked Sendable {
    private let lock = NSLock()
    private var lastWrite = Date.distantPast
    private(set) var lastLine: String?

    /// True when `line` should be written now; otherwise it is kept as `lastLine` for the final write.
    func shouldWrite(_ progress: JobProgress, line: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        if progress.iteration == progress.of || now.timeIntervalSince(lastWrite) >= 0.25 {
            lastWrite = now
            lastLine = nil
            return true
        }
        lastLine = line
        return false
    }
}
