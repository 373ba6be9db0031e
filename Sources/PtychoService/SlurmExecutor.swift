import Foundation
import Logging

/// Runs each job as a Slurm batch job (`PTYCHITE_EXECUTOR=slurm`).
///
/// A run writes the job's batch script (`SlurmBatchScript`) into its folder on shared storage, submits
/// it with `sbatch --parsable` (argument array), reports the Slurm job id, then follows it: one poller
/// runs `squeue --json` every `pollSeconds` for all followed jobs, reports native state changes, and
/// forwards the newest line of each job's progress file (compute nodes cannot reach the service, so
/// the job folder is the only channel). A job that has left the queue is looked up with
/// `scontrol show job`, then by its exit marker; one that is nowhere ends `SYSTEM_ERROR`, never lost.
///
/// Invariants: `watched` holds exactly the runs in flight that have a Slurm job id, each resumed exactly
/// once (by its end, or `.detached` on `terminateAll`); Slurm jobs outlive the service, so a shutdown
/// never cancels them; a squeue failure (controller down) ends nothing, polling just goes on.
public actor SlurmExecutor: JobExecutor {
    private let settings: SlurmSettings
    private let executablePath: String
    private let dataDirectory: String
    private let runner: CommandRunner
    private let logger: Logger
    private var watched: [String: Watch] = [:]
    /// Slurm job ids of the runs in flight, set as soon as `sbatch` answers (so that a cancel finds them).
    private var slurmIDs: [String: String] = [:]
    /// Cancels that arrived before the Slurm job id was known.
    private var earlyCancels: Set<String> = []
    private var poller: Task<Void, Never>?
    private var detaching = false

    private struct Watch {
        let slurmID: String
        let folder: JobFolder
        let reports: ExecutorReports
        let progress: @Sendable (String) async -> Void
        let continuation: CheckedContinuation<ExecutionOutcome, Never>
        var progressOffset: UInt64 = 0
        var lastStatus: SlurmJobStatus?
        /// Consecutive polls that found the job neither in squeue nor in scontrol.
        var missing = 0
    }

    public init(settings: SlurmSettings, executablePath: String, dataDirectory: String, logger: Logger) {
        self.settings = settings
        self.executablePath = executablePath
        self.dataDirectory = dataDirectory
        self.runner = CommandRunner(directory: settings.commandDirectory)
        self.logger = logger
    }

    public nonisolated var followsJobsAcrossRestarts: Bool { true }

    public func run(_ launch: JobLaunch, started: @escaping @Sendable (Int) async -> Void,
                    progress: @escaping @Sendable (String) async -> Void) async -> ExecutionOutcome {
        guard !detaching else { return .detached }
        let slurmID: String
        if let existing = launch.reattach {
            slurmID = existing
            slurmIDs[launch.id] = slurmID
        } else {
            switch await submit(launch) {
            case .failure(let reason):
                earlyCancels.remove(launch.id)
                return .launchFailed(reason.description)
            case .success(let id):
                slurmID = id
            }
            slurmIDs[launch.id] = slurmID
            await launch.reports.submitted(slurmID)
        }
        if earlyCancels.remove(launch.id) != nil { await scancel(slurmID) }
        guard !detaching else { slurmIDs[launch.id] = nil; return .detached }
        let outcome = await withCheckedContinuation { continuation in
            watched[launch.id] = Watch(slurmID: slurmID, folder: launch.folder, reports: launch.reports,
                                       progress: progress, continuation: continuation)
            startPollerIfNeeded()
        }
        slurmIDs[launch.id] = nil
        return outcome
    }

    public func cancel(jobID: String, grace: Double) async {
        guard let slurmID = slurmIDs[jobID] else {
            earlyCancels.insert(jobID)
            return
        }
        // Slurm applies its own grace (SIGTERM, then SIGKILL after KillWait).
        await scancel(slurmID)
    }

    /// Stops following every job; they go on in Slurm, and the next start reattaches to them.
    public func terminateAll(grace: Double) async {
        detaching = true
        poller?.cancel()
        for (id, watch) in watched {
            watched[id] = nil
            watch.continuation.resume(returning: .detached)
        }
    }

    // MARK: - Submission

    private struct SubmitError: Error, CustomStringConvertible { let description: String }

    private func submit(_ launch: JobLaunch) async -> Result<String, SubmitError> {
        let script = SlurmBatchScript(folder: launch.folder, jobID: launch.id, resources: launch.resources,
                                      settings: settings, executablePath: executablePath, dataDirectory: dataDirectory)
        let path = SlurmBatchScript.scriptPath(launch.folder)
        do {
            try Data(script.text.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            _ = FileManager.default.createFile(atPath: launch.folder.progressFile, contents: nil)
        } catch {
            return .failure(SubmitError(description: "cannot write the batch script \(path): \(error)"))
        }
        let result = await runner.run("sbatch", script.sbatchArguments)
        guard result.succeeded, let id = SlurmQueueParser.parseSbatch(result.outputText) else {
            let why = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(SubmitError(description: "sbatch failed (status \(result.status)): \(why.isEmpty ? result.outputText : why)"))
        }
        logger.info("job \(launch.id) submitted to Slurm as job \(id)")
        return .success(id)
    }

    private func scancel(_ slurmID: String) async {
        let result = await runner.run("scancel", [slurmID])
        if !result.succeeded { logger.warning("scancel \(slurmID) failed: \(result.standardError)") }
    }

    // MARK: - Polling

    private func startPollerIfNeeded() {
        guard poller == nil else { return }
        let interval = max(0.1, settings.pollSeconds)
        poller = Task { [weak self] in
            while !Task.isCancelled {
                guard let self, await self.pollOnce() else { break }
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }
    }

    /// One round over the followed jobs; false (and the poller ends) when none is left.
    private func pollOnce() async -> Bool {
        guard !watched.isEmpty, !detaching else { poller = nil; return false }
        let result = await runner.run("squeue", ["--json"])
        let queue: [String: SlurmJobStatus]
        do {
            guard result.succeeded else { throw SlurmQueueParser.ParseError(description: result.standardError) }
            queue = try SlurmQueueParser.parseSqueue(result.standardOutput)
        } catch {
            logger.warning("squeue --json failed (status \(result.status)); will retry: \(error)")
            return true
        }
        for id in Array(watched.keys) {
            guard let watch = watched[id] else { continue }
            await forwardProgress(id)
            if let status = queue[watch.slurmID] {
                watched[id]?.missing = 0
                await observe(id, status)
            } else {
                await observeOutsideQueue(id, slurmID: watch.slurmID)
            }
        }
        if watched.isEmpty { poller = nil; return false }
        return true
    }

    /// The job has left squeue (older than MinJobAge, or a controller that forgot it): scontrol, then
    /// the exit marker, then, after two misses in a row, a system error.
    private func observeOutsideQueue(_ id: String, slurmID: String) async {
        let result = await runner.run("scontrol", ["show", "job", "-o", slurmID])
        if result.succeeded, let status = SlurmQueueParser.parseScontrol(result.outputText), status.jobID == slurmID {
            watched[id]?.missing = 0
            return await observe(id, status)
        }
        guard let watch = watched[id] else { return }
        if let code = SlurmBatchScript.exitMarker(watch.folder) {
            let state: JobState = code == 0 ? .complete : .executorError
            let message = code == 0 ? "completed (Slurm no longer lists job \(slurmID); its exit marker says 0)"
                : "\(ExitMeaning.describe(code)) (Slurm no longer lists job \(slurmID); its exit marker says \(code))"
            return end(id, .resolved(state, exitCode: code, message: message))
        }
        watched[id]?.missing += 1
        if (watched[id]?.missing ?? 0) >= 2 {
            end(id, .resolved(.systemError, exitCode: nil,
                              message: "Slurm job \(slurmID) vanished: neither squeue nor scontrol knows it and it left no exit marker"))
        }
    }

    private func observe(_ id: String, _ status: SlurmJobStatus) async {
        guard let watch = watched[id] else { return }
        let phase = SlurmJobState.phase(of: status)
        if watch.lastStatus != status {
            watched[id]?.lastStatus = status
            await watch.reports.native(status, phase)
        }
        if case .ended(let state, let exitCode, let message) = phase {
            await forwardProgress(id)
            var text = message
            if state == .executorError, let line = watch.folder.lastLogLine() { text += ": \(line)" }
            end(id, .resolved(state, exitCode: exitCode, message: text))
        }
    }

    private func end(_ id: String, _ outcome: ExecutionOutcome) {
        guard let watch = watched.removeValue(forKey: id) else { return }
        watch.continuation.resume(returning: outcome)
    }

    /// Sends the newest complete line the job's progress file gained since the last look.
    private func forwardProgress(_ id: String) async {
        guard let watch = watched[id], let handle = FileHandle(forReadingAtPath: watch.folder.progressFile) else { return }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: watch.progressOffset)) != nil,
              let data = try? handle.readToEnd(), let lastNewline = data.lastIndex(of: 10) else { return }
        let complete = data[data.startIndex..<lastNewline]
        watched[id]?.progressOffset = watch.progressOffset + UInt64(lastNewline - data.startIndex + 1)
        let lastLine = complete.split(separator: 10).last { JobProgress.parse(line: String(decoding: $0, as: UTF8.self)) != nil }
        if let lastLine {
            await watch.progress(String(decoding: lastLine, as: UTF8.self))
        }
    }
}
