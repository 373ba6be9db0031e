/// The states of a job (GA4GH WES names, as in the service contract).
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued = "QUEUED", initializing = "INITIALIZING", running = "RUNNING", complete = "COMPLETE"
    case executorError = "EXECUTOR_ERROR", systemError = "SYSTEM_ERROR", canceling = "CANCELING"
    case canceled = "CANCELED", preempted = "PREEMPTED"

    /// A terminal state never changes again.
    public var isTerminal: Bool {
        switch self {
        case .complete, .executorError, .systemError, .canceled, .preempted: return true
        default: return false
        }
    }
}
