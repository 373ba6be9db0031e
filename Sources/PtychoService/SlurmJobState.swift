import Foundation

/// One Slurm job as `squeue --json` or `scontrol show job` reports it: the native state and reason kept
/// verbatim, and the raw exit status.
public struct SlurmJobStatus: Sendable, Equatable {
    public var jobID: String
    public var name: String?
    /// Slurm's base state (`PENDING`, `RUNNING`, `TIMEOUT`, …); flags such as `COMPLETING` that newer
    /// Slurm versions list beside it are in `flags`.
    public var state: String
    public var flags: [String]
    /// `state_reason` (`Priority`, `Resources`, `NonZeroExitCode`, `None`, …).
    public var reason: String?
    /// The batch script's exit: code and the signal that ended it (0 when none).
    public var exitCode: Int?
    public var signal: Int?

    public init(jobID: String, name: String? = nil, state: String, flags: [String] = [], reason: String? = nil,
                exitCode: Int? = nil, signal: Int? = nil) {
        self.jobID = jobID
        self.name = name
        self.state = state
        self.flags = flags
        self.reason = reason
        self.exitCode = exitCode
        self.signal = signal
    }
}

/// Where a Slurm job stands, in the service contract's terms.
public enum SlurmPhase: Sendable, Equatable {
    /// Not running yet (pending, configuring, requeued): the job is `INITIALIZING`; `message` explains a
    /// pending reason the user can act on (e.g. a limit or a held job), nil for ordinary waiting.
    case waiting(message: String?)
    /// Running (or suspended, or finishing): the job is `RUNNING`.
    case running(message: String?)
    /// Slurm is done with it.
    case ended(JobState, exitCode: Int?, message: String)
}

/// The mapping of Slurm's job states (and pending reasons) to the contract's states. Pure.
///
/// Invariant: every state Slurm 22.05–24.x documents maps to a phase; a state not known here is taken
/// as still running (the executor keeps polling, and reports the native state verbatim).
public enum SlurmJobState {
    /// Pending reasons that will not go away by waiting: the user or an administrator must act.
    static let blockingReasons: Set<String> = [
        "BadConstraints", "PartitionConfig", "InvalidAccount", "InvalidQOS", "AccountNotAllowed", "QOSNotAllowed",
        "PartitionTimeLimit", "PartitionNodeLimit", "DependencyNeverSatisfied", "JobHeldAdmin", "JobHeldUser",
        "PartitionDown", "PartitionInactive", "ReqNodeNotAvail", "NodeDown", "InactiveLimit", "FrontEndDown",
        "AssocMaxJobsLimit", "AssocGrpCpuLimit", "AssocGrpMemLimit", "AssocGrpGRES", "QOSMaxWallDurationPerJobLimit",
    ]

    public static func phase(of status: SlurmJobStatus) -> SlurmPhase {
        let reason = status.reason.flatMap { $0 == "None" || $0.isEmpty ? nil : $0 }
        switch status.state {
        case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "RESV_DEL_HOLD":
            if let reason, blockingReasons.contains(reason) || reason.hasPrefix("Assoc") || reason.hasPrefix("QOS") {
                return .waiting(message: "waiting in Slurm's queue, held by \(reason): it may never start without a change")
            }
            return .waiting(message: reason.map { "waiting in Slurm's queue (\($0))" })
        case "RUNNING", "COMPLETING", "SIGNALING", "STAGE_OUT", "POWER_UP_NODE", "UPDATE_DB":
            return .running(message: nil)
        case "SUSPENDED", "STOPPED":
            return .running(message: "suspended by Slurm\(reason.map { " (\($0))" } ?? "")")
        case "COMPLETED":
            return .ended(.complete, exitCode: 0, message: "completed under Slurm")
        case "FAILED", "SPECIAL_EXIT":
            if let signal = status.signal, signal > 0, (status.exitCode ?? 0) == 0 {
                return .ended(.executorError, exitCode: 128 + signal, message: "the reconstruction was killed by signal \(signal) (Slurm \(status.state))")
            }
            let code = status.exitCode ?? 1
            return .ended(.executorError, exitCode: code, message: "\(ExitMeaning.describe(code)) (Slurm \(status.state))")
        case "CANCELLED":
            return .ended(.canceled, exitCode: status.exitCode.flatMap { $0 == 0 ? nil : $0 }, message: "canceled in Slurm (scancel)")
        case "TIMEOUT":
            return .ended(.executorError, exitCode: nil, message: "the job reached its time limit (Slurm TIMEOUT); ask for a longer time_limit_minutes")
        case "DEADLINE":
            return .ended(.executorError, exitCode: nil, message: "the job reached its deadline (Slurm DEADLINE)")
        case "OUT_OF_MEMORY":
            return .ended(.executorError, exitCode: nil, message: "the job ran out of memory (Slurm OUT_OF_MEMORY); ask for more memory_mb")
        case "PREEMPTED":
            return .ended(.preempted, exitCode: nil, message: "preempted by Slurm")
        case "NODE_FAIL":
            return .ended(.systemError, exitCode: nil, message: "the compute node failed (Slurm NODE_FAIL)")
        case "BOOT_FAIL":
            return .ended(.systemError, exitCode: nil, message: "the compute node did not boot (Slurm BOOT_FAIL)")
        case "REVOKED":
            return .ended(.systemError, exitCode: nil, message: "revoked by Slurm (federation; Slurm REVOKED)")
        default:
            return .running(message: "Slurm reports \(status.state)")
        }
    }
}

/// What the CLI's exit codes mean (the CLI's contract with the service).
public enum ExitMeaning {
    public static func describe(_ code: Int) -> String {
        switch code {
        case 1: return "input or output error"
        case 2: return "invalid configuration"
        case 3: return "not enough memory"
        default: return "exited with status \(code)"
        }
    }
}
