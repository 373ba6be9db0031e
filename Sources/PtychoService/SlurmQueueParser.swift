import Foundation

/// Reads what Slurm's commands print about jobs. Pure.
///
/// `squeue --json` is read in both shapes Slurm has used: 22.05 (Debian 12: `job_state` a string,
/// `exit_code` the raw wait status as an integer) and 23.02+ (`job_state` an array of a base state and
/// flags, `exit_code` an object with `return_code` and `signal`, numbers possibly wrapped as
/// `{"set": true, "number": N}`).
public enum SlurmQueueParser {
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Every job in the output, by job id. Throws when the output is not squeue's JSON or reports errors.
    public static func parseSqueue(_ data: Data) throws -> [String: SlurmJobStatus] {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ParseError(description: "squeue --json printed no JSON object")
        }
        if let errors = root["errors"] as? [Any], !errors.isEmpty {
            throw ParseError(description: "squeue --json reported errors: \(errors)")
        }
        guard let jobs = root["jobs"] as? [[String: Any]] else {
            throw ParseError(description: "squeue --json printed no jobs array")
        }
        var statuses: [String: SlurmJobStatus] = [:]
        for job in jobs {
            guard let id = number(job["job_id"]) else { continue }
            var states: [String] = []
            if let single = job["job_state"] as? String { states = [single] }
            else if let list = job["job_state"] as? [String] { states = list }
            guard let base = states.first(where: { !flagStates.contains($0) }) ?? states.first else { continue }
            var status = SlurmJobStatus(jobID: String(id), name: job["name"] as? String, state: base,
                                        flags: states.filter { $0 != base }, reason: job["state_reason"] as? String)
            if let raw = number(job["exit_code"]) {
                // The wait status: exit code in bits 8–15, the terminating signal in bits 0–6.
                status.exitCode = (raw >> 8) & 0xff
                status.signal = raw & 0x7f
            } else if let exit = job["exit_code"] as? [String: Any] {
                status.exitCode = number(exit["return_code"])
                status.signal = number((exit["signal"] as? [String: Any])?["id"]) ?? number(exit["signal"])
            }
            statuses[status.jobID] = status
        }
        return statuses
    }

    /// States newer Slurm versions list beside the base state.
    static let flagStates: Set<String> = ["COMPLETING", "CONFIGURING", "REQUEUED", "RESIZING", "SIGNALING",
                                          "STAGE_OUT", "STOPPED", "POWER_UP_NODE", "UPDATE_DB", "REQUEUE_HOLD",
                                          "REQUEUE_FED", "RESV_DEL_HOLD", "SPECIAL_EXIT", "REVOKED", "LAUNCH_FAILED"]

    /// `scontrol show job -o ID`: one line of `Key=Value` pairs. Nil when it names no job.
    public static func parseScontrol(_ text: String) -> SlurmJobStatus? {
        func field(_ key: String) -> String? {
            for token in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) where token.hasPrefix(key + "=") {
                return String(token.dropFirst(key.count + 1))
            }
            return nil
        }
        guard let id = field("JobId"), let state = field("JobState") else { return nil }
        var status = SlurmJobStatus(jobID: id, name: field("JobName"), state: state, reason: field("Reason"))
        if let exit = field("ExitCode") {
            let parts = exit.split(separator: ":").map { Int($0) }
            status.exitCode = parts.first ?? nil
            status.signal = parts.count > 1 ? parts[1] : nil
        }
        return status
    }

    /// `sbatch --parsable` prints `ID` or `ID;CLUSTER`.
    public static func parseSbatch(_ text: String) -> String? {
        let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let id = first.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return !id.isEmpty && id.allSatisfy(\.isNumber) ? id : nil
    }

    /// An integer, also in Slurm 23+'s `{"set": true, "number": N}` form (nil when not set).
    static func number(_ value: Any?) -> Int? {
        if let wrapped = value as? [String: Any] {
            if let set = wrapped["set"] as? Bool, !set { return nil }
            return number(wrapped["number"])
        }
        if let value = value as? Int { return value }
        if let value = value as? Double, let exact = Int(exactly: value) { return exact }
        if let value = value as? NSNumber { return value.intValue }
        return nil
    }
}
