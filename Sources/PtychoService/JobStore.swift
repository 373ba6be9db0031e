import Foundation
import GRDB

/// Where jobs are kept. Implementations are safe to call from any task.
public protocol JobStore: Sendable {
    /// Inserts a new job, assigning the next `sequence`, with its first `state` event; returns the stored record.
    /// `setup` fills the new record's other fields before it is written; `admit` sees the owner's
    /// unfinished jobs in the same transaction and may refuse the job by throwing (per-owner limits).
    func insert(id: String, owner: String, configuration: String, createdAt: Date,
                setup: @Sendable (inout JobRecord) -> Void, admit: @Sendable ([JobRecord]) throws -> Void) throws -> JobRecord
    func job(id: String) throws -> JobRecord?
    /// The owner's jobs, newest first.
    func jobs(owner: String, state: JobState?, limit: Int, offset: Int) throws -> [JobRecord]
    /// Jobs in any of `states`, in submission order.
    func jobs(inStates states: [JobState]) throws -> [JobRecord]
    /// Applies `change` to the stored job atomically, together with the events it causes
    /// (`JobEvent.changes`); returns the new record (nil if there is none).
    @discardableResult
    func update(id: String, _ change: @Sendable (inout JobRecord) -> Void) throws -> JobRecord?
    /// Removes the job and its events.
    func delete(id: String) throws
    /// Number of jobs per state (states with none are absent).
    func countByState() throws -> [JobState: Int]
    /// The job's events with an id above `after`, oldest first, at most `limit`.
    func events(jobID: String, after: Int64, limit: Int) throws -> [JobEvent]
    /// Records `lines` as `log` events and moves the job's `logOffset` from `from` to `to`, atomically;
    /// does nothing (returns false) when the stored offset is no longer `from` (another reader got there first).
    @discardableResult
    func appendLog(id: String, lines: [String], from: Int64, to: Int64) throws -> Bool
}

extension JobStore {
    public func insert(id: String, owner: String, configuration: String, createdAt: Date) throws -> JobRecord {
        try insert(id: id, owner: owner, configuration: configuration, createdAt: createdAt, setup: { _ in }, admit: { _ in })
    }
}

/// Jobs in SQLite through GRDB: a `DatabasePool` (WAL journal) with versioned migrations
/// (`JobStoreMigrations`). Every insert and update also appends the `JobEvent`s it causes, in the same
/// transaction.
public final class SQLiteJobStore: JobStore {
    private let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try JobStoreMigrations.migrator.migrate(pool)
    }

    public func insert(id: String, owner: String, configuration: String, createdAt: Date,
                       setup: @Sendable (inout JobRecord) -> Void, admit: @Sendable ([JobRecord]) throws -> Void) throws -> JobRecord {
        try pool.write { db in
            let unfinished = try JobRecord.filter(Column("owner") == owner)
                .filter(JobState.allCases.filter { !$0.isTerminal }.map(\.rawValue).contains(Column("state"))).fetchAll(db)
            try admit(unfinished)
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM job") ?? 0
            var record = JobRecord(id: id, sequence: last + 1, owner: owner, state: .queued,
                                   configuration: configuration, createdAt: createdAt)
            setup(&record)
            try record.insert(db)
            try Self.record(JobEvent.changes(from: nil, to: record), db)
            return record
        }
    }

    public func job(id: String) throws -> JobRecord? {
        try pool.read { db in try JobRecord.fetchOne(db, key: id) }
    }

    public func jobs(owner: String, state: JobState?, limit: Int, offset: Int) throws -> [JobRecord] {
        try pool.read { db in
            var request = JobRecord.filter(Column("owner") == owner)
            if let state { request = request.filter(Column("state") == state.rawValue) }
            return try request.order(Column("sequence").desc).limit(limit, offset: offset).fetchAll(db)
        }
    }

    public func jobs(inStates states: [JobState]) throws -> [JobRecord] {
        try pool.read { db in
            try JobRecord.filter(states.map(\.rawValue).contains(Column("state")))
                .order(Column("sequence")).fetchAll(db)
        }
    }

    @discardableResult
    public func update(id: String, _ change: @Sendable (inout JobRecord) -> Void) throws -> JobRecord? {
        try pool.write { db in
            guard let old = try JobRecord.fetchOne(db, key: id) else { return nil }
            var record = old
            change(&record)
            try record.update(db)
            try Self.record(JobEvent.changes(from: old, to: record), db)
            return record
        }
    }

    public func delete(id: String) throws {
        _ = try pool.write { db in try JobRecord.deleteOne(db, key: id) }
    }

    public func countByState() throws -> [JobState: Int] {
        try pool.read { db in
            var counts: [JobState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM job GROUP BY state") {
                if let state = JobState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    public func events(jobID: String, after: Int64, limit: Int) throws -> [JobEvent] {
        try pool.read { db in
            try JobEvent.filter(Column("job_id") == jobID && Column("id") > after)
                .order(Column("id")).limit(limit).fetchAll(db)
        }
    }

    @discardableResult
    public func appendLog(id: String, lines: [String], from: Int64, to: Int64) throws -> Bool {
        try pool.write { db in
            guard var record = try JobRecord.fetchOne(db, key: id), record.logOffset == from else { return false }
            record.logOffset = to
            try record.update(db)
            try Self.record(lines.map { JobEvent(jobID: id, kind: .log, data: JSON.text($0)) }, db)
            return true
        }
    }

    private static func record(_ events: [JobEvent], _ db: Database) throws {
        for var event in events { try event.insert(db) }
    }
}

extension JobRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "job"
}

extension JobState: DatabaseValueConvertible {}
