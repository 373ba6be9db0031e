import Foundation

/// Which executor runs the service's jobs.
public enum ExecutorKind: String, Sendable, CaseIterable {
    case local, slurm
}

/// The executor, Slurm and resource variables:
///
/// | variable | meaning |
/// |---|---|
/// | `PTYCHITE_EXECUTOR` | `local` (default) or `slurm` |
/// | `PTYCHITE_SLURM_PARTITION`, `PTYCHITE_SLURM_ACCOUNT` | `sbatch --partition`, `--account` |
/// | `PTYCHITE_SLURM_IMAGE` | Apptainer image: jobs run `apptainer exec --nv IMAGE ptychite …` |
/// | `PTYCHITE_SLURM_POLL_SECONDS` | seconds between `squeue --json` polls (default 10) |
/// | `PTYCHITE_SLURM_BIN_DIR` | folder of `sbatch`, `squeue`, `scontrol`, `scancel` (default: `PATH`) |
/// | `PTYCHITE_DEFAULT_CPUS`, `_MEMORY_MB`, `_GPUS`, `_TIME_LIMIT_MINUTES` | a job's resources when it asks for none (1, 2000, 0, 60) |
/// | `PTYCHITE_MAX_CPUS`, `_MEMORY_MB`, `_GPUS`, `_TIME_LIMIT_MINUTES` | the most a job may ask for (default: no maximum) |
/// | `PTYCHITE_MAX_JOBS_PER_OWNER`, `PTYCHITE_MAX_GPUS_PER_OWNER` | limits over one owner's unfinished jobs |
extension ServiceConfiguration {
    /// Reads the variables above through `value` (which prefixes `PTYCHITE_` and treats empty as unset).
    mutating func readExecutorEnvironment(_ value: (String) -> String?) throws {
        func integer(_ name: String) throws -> Int? {
            guard let text = value(name) else { return nil }
            guard let number = Int(text), number >= 0 else {
                throw ServiceConfigurationError("PTYCHITE_\(name) '\(text)' is not a whole number ≥ 0")
            }
            return number
        }
        if let kind = value("EXECUTOR") {
            guard let parsed = ExecutorKind(rawValue: kind.lowercased()) else {
                throw ServiceConfigurationError("PTYCHITE_EXECUTOR '\(kind)' is not one of local, slurm")
            }
            executor = parsed
        }
        slurm.partition = value("SLURM_PARTITION")
        slurm.account = value("SLURM_ACCOUNT")
        slurm.image = value("SLURM_IMAGE")
        slurm.commandDirectory = value("SLURM_BIN_DIR")
        if let text = value("SLURM_POLL_SECONDS") {
            guard let seconds = Double(text), seconds > 0 else {
                throw ServiceConfigurationError("PTYCHITE_SLURM_POLL_SECONDS '\(text)' is not a positive number of seconds")
            }
            slurm.pollSeconds = seconds
        }
        let fields: [(String, WritableKeyPath<JobResources, Int?>)] = [
            ("CPUS", \.cpus), ("MEMORY_MB", \.memoryMB), ("GPUS", \.gpus), ("TIME_LIMIT_MINUTES", \.timeLimitMinutes)]
        for (name, path) in fields {
            if let number = try integer("DEFAULT_" + name) { resourcePolicy.defaults[keyPath: path] = number }
            if let number = try integer("MAX_" + name) { resourcePolicy.maxima[keyPath: path] = number }
        }
        resourcePolicy.maxJobsPerOwner = try integer("MAX_JOBS_PER_OWNER")
        resourcePolicy.maxGPUsPerOwner = try integer("MAX_GPUS_PER_OWNER")
    }

    /// The resource defaults fit the maxima, the limits are positive, the poll interval too.
    func validateExecutorSettings() throws {
        do { _ = try resourcePolicy.validated() } catch let error as ResourceError {
            throw ServiceConfigurationError("the default job resources do not fit the maxima: \(error.description)")
        }
        guard slurm.pollSeconds > 0 else {
            throw ServiceConfigurationError("the Slurm poll interval must be positive (got \(slurm.pollSeconds))")
        }
    }
}
