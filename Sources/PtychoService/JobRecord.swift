import Foundation

/// One iteration as the CLI prints it with `--progress jsonl` (the CLI's contract with the service).
public struct JobProgress: Codable, Sendable, Equatable {
    public var iteration: Int
    public var of: Int
    public var engine: String
    public var fourierError: Double
    public var llkPoisson: Double
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case iteration, of, engine, fourierError = "fourier_error", llkPoisson = "llk_poisson", seconds
    }

    /// Parses one JSON line; nil for anything that is not a progress object.
    public static func parse(line: String) -> JobProgress? {
        try? JSONDecoder().decode(JobProgress.self, from: Data(line.utf8))
    }
}

/// A job as stored: who submitted what, where it stands and how it ended.
///
/// Invariants: `id` is a lowercase UUID (safe as a folder name); `sequence` orders submissions (queued
/// jobs start in increasing `sequence`); `endedAt` and `exitCode` are set only in terminal states.
public struct JobRecord: Codable, Sendable, Equatable {
    public var id: String
    public var sequence: Int64
    public var owner: String
    public var state: JobState
    /// The configuration as submitted (validated), JSON.
    public var configuration: String
    public var createdAt: Date
    public var startedAt: Date?
    public var endedAt: Date?
    /// The last progress line, JSON (see `JobProgress`).
    public var progress: String?
    public var exitCode: Int?
    public var message: String?
    /// Process id of the running child (its process group id too), for recovery after a crash.
    public var pid: Int?
    /// How many times the job was started (restarts after a crash count).
    public var attempts: Int
    /// Bytes of the job's log already turned into `log` events; only grows (the log is append-only).
    public var logOffset: Int64
    // MARK: Executor details and resources (migration v3-executor)
    /// The resources the job runs with, JSON (`JobResources`, every field set); nil for jobs from before
    /// resources existed.
    public var resources: String?
    /// The executor that runs the job (`local`, `slurm`); nil means `local` (jobs from before v3).
    public var executor: String?
    /// Slurm's job id, once `sbatch` has answered; kept after the job ends.
    public var slurmJobID: String?
    /// Slurm's state and reason for the job, verbatim (`PENDING`/`Priority`, `TIMEOUT`/`TimeLimit`, …).
    public var nativeState: String?
    public var nativeReason: String?

    public init(id: String, sequence: Int64, owner: String, state: JobState, configuration: String,
                createdAt: Date) {
        self.id = id
        self.sequence = sequence
        self.owner = owner
        self.state = state
        self.configuration = configuration
        self.createdAt = createdAt
        self.attempts = 0
        self.logOffset = 0
    }

    enum CodingKeys: String, CodingKey {
        case id, sequence, owner, state, configuration, createdAt = "created_at", startedAt = "started_at"
        case endedAt = "ended_at", progress, exitCode = "exit_code", message, pid, attempts
        case logOffset = "log_offset"
        case resources, executor, slurmJobID = "slurm_job_id", nativeState = "native_state", nativeReason = "native_reason"
    }

    public var decodedProgress: JobProgress? { progress.flatMap(JobProgress.parse(line:)) }

    public var decodedResources: JobResources? {
        resources.flatMap { try? JSONDecoder().decode(JobResources.self, from: Data($0.utf8)) }
    }

    /// A lowercase UUID, nothing else: the only ids that may name a job folder.
    public static func isValidID(_ id: String) -> Bool {
        id.count == 36 && UUID(uuidString: id) != nil && id == id.lowercased()
    }
}
