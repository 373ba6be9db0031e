import Foundation
import GRDB

/// One entry of a job's event log, the source of its Server-Sent Events (`GET /jobs/{id}/events`).
///
/// Invariants: `id` comes from an `AUTOINCREMENT` key of the `job_event` table, so it increases with every
/// event ever recorded (across jobs, connections and service restarts) and is never reused, even after a
/// job is deleted; an event's SSE id is this `id`, so `Last-Event-ID: N` resumes with exactly the events
/// whose id is above N. Events are written in the same transaction as the change they report (see
/// `SQLiteJobStore.update` and `appendLog`), so a stored state and its event can never disagree.
/// The event reporting a terminal state is the job's last one (the scheduler flushes the log first).
public struct JobEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Data: the job as `GET /jobs/{id}` showed it right after the change.
        case state
        /// Data: the progress object of the newest iteration recorded.
        case progress
        /// Data: one line of the job's log, as a JSON string.
        case log
    }

    public var id: Int64?
    public var jobID: String
    public var kind: Kind
    /// The event's `data:` field, JSON text on one line.
    public var data: String

    enum CodingKeys: String, CodingKey { case id, jobID = "job_id", kind, data }

    /// The events a change of `old` into `new` produces: progress first, then state, so that a stream
    /// shows the final iteration before the state that ends it.
    static func changes(from old: JobRecord?, to new: JobRecord) -> [JobEvent] {
        var events: [JobEvent] = []
        if new.progress != old?.progress, let progress = new.decodedProgress {
            events.append(JobEvent(jobID: new.id, kind: .progress, data: JSON.text(progress)))
        }
        if old == nil || old!.state != new.state || old!.message != new.message {
            events.append(JobEvent(jobID: new.id, kind: .state, data: JSON.text(JobView(new))))
        }
        return events
    }
}

extension JobEvent: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "job_event"

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension JobEvent.Kind: DatabaseValueConvertible {}

extension JSON {
    /// `encode` as a one-line string (JSONEncoder never emits raw newlines without `.prettyPrinted`).
    static func text<T: Encodable>(_ value: T) -> String { String(decoding: encode(value), as: UTF8.self) }
}
