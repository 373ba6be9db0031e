import Foundation
import Logging
import PtychoCore

/// The service's operations on jobs, independent of HTTP: validation, submission, ownership checks.
///
/// Invariants: a job is returned only to its owner (others get `nil`, which the API turns into 404);
/// every submitted configuration was decoded by `ReconstructionConfiguration.decode` (the CLI's schema)
/// and its paths resolved inside the data root before anything is written.
public final class JobService: Sendable {
    public let configuration: ServiceConfiguration
    public let store: any JobStore
    public let scheduler: JobScheduler
    /// Set when the service begins to shut down; long-lived responses (event streams) end on it.
    public let stopping = StopFlag()
    /// This service's Prometheus metrics (its own registry; see `ServiceMetrics`).
    public let metrics = ServiceMetrics()
    let inputPolicy: InputPathPolicy

    public init(configuration: ServiceConfiguration, store: any JobStore, executor: any JobExecutor,
                logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.inputPolicy = InputPathPolicy(dataDirectory: configuration.dataDirectory)
        self.scheduler = JobScheduler(store: store, executor: executor, stateDirectory: configuration.stateDirectory,
                                      maxJobs: configuration.maxJobs, cancelGrace: configuration.cancelGraceSeconds,
                                      logger: logger, metrics: metrics)
    }

    /// Validates `body` (a configuration document, with an optional `resources` object), writes the job's
    /// folder and queues it. Resources above the operator's maxima are a 400 naming the field; a job over
    /// the owner's limits is a 429 (checked in the same transaction that stores the job).
    public func submit(owner: String, body originalBody: Data) async throws -> JobRecord {
        let (body, resources) = try Self.splitResources(originalBody, policy: configuration.resourcePolicy)
        var submitted: ReconstructionConfiguration
        do {
            submitted = try ReconstructionConfiguration.decode(json: body)
            _ = try submitted.validated()
        } catch let error as ConfigurationError {
            throw APIError(.badRequest, "invalid configuration", detail: error.description)
        }
        if submitted.output != nil {
            throw APIError(.badRequest, "invalid configuration",
                           detail: "configuration: key 'output': chosen by the service (results go to the job folder)")
        }
        guard let input = submitted.input else {
            throw APIError(.badRequest, "invalid configuration",
                           detail: "configuration: key 'input' is required (a file relative to the data directory)")
        }
        var run = submitted
        do {
            run.input = try inputPolicy.resolve(input, key: "input")
            if let probe = submitted.probe { run.probe = try inputPolicy.resolve(probe, key: "probe") }
        } catch let error as InputPathError {
            switch error {
            case .outsideDataRoot: throw APIError(.forbidden, "path outside the data directory", detail: error.description)
            case .notFound: throw APIError(.badRequest, "invalid configuration", detail: error.description)
            }
        }
        let id = UUID().uuidString.lowercased()
        let folder = JobFolder(stateDirectory: configuration.stateDirectory, id: id)
        run.output = folder.resultFile
        run.progress = "jsonl"
        if run.checkpointEvery == nil { run.checkpointEvery = configuration.checkpointEvery }
        try folder.create()
        try Data(run.encodedJSON().utf8).write(to: URL(fileURLWithPath: folder.configurationFile))
        let policy = configuration.resourcePolicy, executorKind = configuration.executor.rawValue
        let record: JobRecord
        do {
            record = try store.insert(
                id: id, owner: owner, configuration: submitted.encodedJSON(), createdAt: Date(),
                setup: { $0.resources = JSON.text(resources); $0.executor = executorKind },
                admit: { unfinished in
                    if let why = policy.ownerLimitViolation(new: resources, unfinished: unfinished.map { $0.decodedResources ?? JobResources() }) {
                        throw APIError(.tooManyRequests, "per-user limit reached", detail: why)
                    }
                })
        } catch {
            try? folder.remove()
            throw error
        }
        await scheduler.schedule()
        return record
    }

    /// Takes the `resources` object out of a submission body: the rest is the configuration document,
    /// the resources are checked against `policy` (defaults filled in). A body that is not a JSON object
    /// is returned as it is, for the configuration decoder's own message.
    static func splitResources(_ body: Data, policy: ResourcePolicy) throws -> (Data, JobResources) {
        var requested = JobResources(), rest = body
        if var object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
           let raw = object.removeValue(forKey: "resources") {
            rest = try JSONSerialization.data(withJSONObject: object)
            let rawData = (try? JSONSerialization.data(withJSONObject: raw, options: [.fragmentsAllowed])) ?? Data()
            do { requested = try JobResources.parse(json: rawData) } catch let error as ResourceError {
                throw APIError(.badRequest, "invalid resources", detail: error.description)
            }
        }
        do { return (rest, try policy.effective(requested)) } catch let error as ResourceError {
            throw APIError(.badRequest, "invalid resources", detail: error.description)
        }
    }

    /// The job if it exists and belongs to `owner`.
    public func job(id: String, owner: String) throws -> JobRecord? {
        guard JobRecord.isValidID(id), let job = try store.job(id: id), job.owner == owner else { return nil }
        return job
    }

    public func folder(for job: JobRecord) -> JobFolder {
        JobFolder(stateDirectory: configuration.stateDirectory, id: job.id)
    }

    /// Forgets a terminal job and removes its folder. Returns false when the job is still active.
    public func delete(_ job: JobRecord) throws -> Bool {
        guard job.state.isTerminal else { return false }
        try store.delete(id: job.id)
        try folder(for: job).remove()
        return true
    }
}

/// A job as the API shows it.
struct JobView: Encodable {
    let id: String
    let state: JobState
    let message: String?
    let owner: String
    let createdAt: Date
    let startedAt: Date?
    let endedAt: Date?
    let progress: JobProgress?
    let exitCode: Int?
    let attempts: Int
    let executor: ExecutorView
    let resources: JobResources?
    let configuration: ReconstructionConfiguration?

    /// Where the job runs: the local child's pid, or Slurm's job id with its native state and reason.
    struct ExecutorView: Encodable {
        let kind: String
        let pid: Int?
        let slurmJobID: String?
        let nativeState: String?
        let nativeReason: String?
        enum CodingKeys: String, CodingKey {
            case kind, pid, slurmJobID = "slurm_job_id", nativeState = "native_state", nativeReason = "native_reason"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(pid, forKey: .pid)
            if kind == "slurm" {
                try c.encode(slurmJobID, forKey: .slurmJobID)
                try c.encode(nativeState, forKey: .nativeState)
                try c.encode(nativeReason, forKey: .nativeReason)
            }
        }
    }

    init(_ job: JobRecord) {
        id = job.id
        state = job.state
        message = job.message
        owner = job.owner
        createdAt = job.createdAt
        startedAt = job.startedAt
        endedAt = job.endedAt
        progress = job.decodedProgress
        exitCode = job.exitCode
        attempts = job.attempts
        executor = ExecutorView(kind: job.executor ?? "local", pid: job.pid, slurmJobID: job.slurmJobID,
                                nativeState: job.nativeState, nativeReason: job.nativeReason)
        resources = job.decodedResources
        configuration = try? ReconstructionConfiguration.decode(json: Data(job.configuration.utf8))
    }

    enum CodingKeys: String, CodingKey {
        case id, state, message, owner, createdAt = "created_at", startedAt = "started_at", endedAt = "ended_at"
        case progress, exitCode = "exit_code", attempts, executor, resources, configuration
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(state, forKey: .state)
        try c.encode(message, forKey: .message)
        try c.encode(owner, forKey: .owner)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(endedAt, forKey: .endedAt)
        try c.encode(progress, forKey: .progress)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(executor, forKey: .executor)
        try c.encodeIfPresent(resources, forKey: .resources)
        try c.encodeIfPresent(configuration, forKey: .configuration)
    }
}

/// A one-way flag, safe to read from any thread.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    public init() {}

    public var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }

    public func set() { lock.lock(); value = true; lock.unlock() }
}
