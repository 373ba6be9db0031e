import Foundation
import GRDB

/// The job database's schema, one registered migration per version. Migrations are never edited once
/// released: a new version appends a new one.
enum JobStoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-jobs") { db in
            try db.create(table: "job") { t in
                t.column("id", .text).primaryKey()
                t.column("sequence", .integer).notNull().unique()
                t.column("owner", .text).notNull().indexed()
                t.column("state", .text).notNull().indexed()
                t.column("configuration", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("started_at", .datetime)
                t.column("ended_at", .datetime)
                t.column("progress", .text)
                t.column("exit_code", .integer)
                t.column("message", .text)
                t.column("pid", .integer)
                t.column("attempts", .integer).notNull().defaults(to: 0)
            }
        }
        // Persistent events, so that SSE ids mean the same across connections and restarts (`JobEvent`).
        migrator.registerMigration("v2-events") { db in
            try db.alter(table: "job") { t in
                t.add(column: "log_offset", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "job_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job_id", .text).notNull().references("job", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("data", .text).notNull()
            }
            try db.create(index: "job_event_by_job", on: "job_event", columns: ["job_id", "id"])
            // Jobs from before events existed get one state event (id, state, message: not the full job
            // view, which would tie this migration to today's record type), so that their streams start and
            // end like any other. Their log is turned into events from its start if they run again.
            for row in try Row.fetchAll(db, sql: "SELECT id, state, message FROM job ORDER BY sequence") {
                let id: String = row["id"], state: String = row["state"], message: String? = row["message"]
                try db.execute(sql: "INSERT INTO job_event (job_id, kind, data) VALUES (?, 'state', ?)",
                               arguments: [id, JSON.text(LegacyStateSnapshot(id: id, state: state, message: message))])
            }
        }
        // Job resources and the Slurm executor's details (issue 6).
        migrator.registerMigration("v3-executor") { db in
            try db.alter(table: "job") { t in
                t.add(column: "resources", .text)
                t.add(column: "executor", .text)
                t.add(column: "slurm_job_id", .text)
                t.add(column: "native_state", .text)
                t.add(column: "native_reason", .text)
            }
        }
        return migrator
    }
}

/// The state event of a job recorded before events existed.
private struct LegacyStateSnapshot: Encodable {
    let id: String
    let state: String
    let message: String?
}
