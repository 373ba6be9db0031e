import Foundation

/// What a job asks of the machine that runs it: CPUs, memory, GPUs and a time limit. The submission
/// body's optional `resources` object (`{"cpus": 4, "memory_mb": 8000, "gpus": 1, "time_limit_minutes": 60}`);
/// the Slurm executor turns it into `sbatch` options, the local executor ignores all but the per-owner
/// limits (it runs on the service's own machine).
///
/// Invariant of a stored job's resources (`ResourcePolicy.effective`): every field is set, every value is
/// within the operator's maxima, `cpus ≥ 1`, `memoryMB ≥ 1`, `gpus ≥ 0`, `timeLimitMinutes ≥ 1`.
public struct JobResources: Codable, Sendable, Equatable {
    public var cpus: Int?
    public var memoryMB: Int?
    public var gpus: Int?
    public var timeLimitMinutes: Int?

    public init(cpus: Int? = nil, memoryMB: Int? = nil, gpus: Int? = nil, timeLimitMinutes: Int? = nil) {
        self.cpus = cpus
        self.memoryMB = memoryMB
        self.gpus = gpus
        self.timeLimitMinutes = timeLimitMinutes
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case cpus, memoryMB = "memory_mb", gpus, timeLimitMinutes = "time_limit_minutes"
    }

    /// The request's `resources` object, as JSON: only the four keys, each a whole number or null
    /// (checked against the policy by `ResourcePolicy.effective`). Errors name the field, as `resources.<key>`.
    public static func parse(json data: Data) throws -> JobResources {
        // Numbers are read as Double and checked to be whole here, so that `1.5` is named like `"four"`.
        let object: [String: Double?]
        do {
            object = try JSONDecoder().decode([String: Double?].self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.first?.stringValue
            throw ResourceError(field: key.map { "resources.\($0)" } ?? "resources",
                                key == nil ? "must be an object with cpus, memory_mb, gpus, time_limit_minutes"
                                           : "must be a whole number")
        } catch {
            throw ResourceError(field: "resources", "must be an object with cpus, memory_mb, gpus, time_limit_minutes")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw ResourceError(field: "resources.\(unknown)", "is not a resource (cpus, memory_mb, gpus, time_limit_minutes)")
        }
        func value(_ key: CodingKeys) throws -> Int? {
            guard let number = object[key.rawValue] ?? nil else { return nil }
            guard let whole = Int(exactly: number) else {
                throw ResourceError(field: "resources.\(key.rawValue)", "must be a whole number")
            }
            return whole
        }
        return JobResources(cpus: try value(.cpus), memoryMB: try value(.memoryMB), gpus: try value(.gpus),
                            timeLimitMinutes: try value(.timeLimitMinutes))
    }
}

/// The operator's rules for resources: defaults for what a job leaves unset, maxima a job may not exceed
/// (nil: no maximum), and per-owner limits over the owner's unfinished jobs (nil: none).
///
/// Invariant after `validated()`: every default is set and within its maximum.
public struct ResourcePolicy: Sendable, Equatable {
    public var defaults = JobResources(cpus: 1, memoryMB: 2000, gpus: 0, timeLimitMinutes: 60)
    public var maxima = JobResources()
    /// Unfinished (not terminal) jobs one owner may have at once.
    public var maxJobsPerOwner: Int?
    /// GPUs summed over one owner's unfinished jobs.
    public var maxGPUsPerOwner: Int?

    public init() {}

    /// The resources a job runs with: the request's values, else the defaults. Throws naming the first
    /// field that is not positive (GPUs: negative) or above its maximum; the API answers 400.
    public func effective(_ requested: JobResources) throws -> JobResources {
        func pick(_ key: JobResources.CodingKeys, _ path: KeyPath<JobResources, Int?>, minimum: Int) throws -> Int {
            let value = requested[keyPath: path] ?? defaults[keyPath: path] ?? minimum
            let field = "resources.\(key.rawValue)"
            guard value >= minimum else { throw ResourceError(field: field, "must be at least \(minimum) (got \(value))") }
            if let maximum = maxima[keyPath: path], value > maximum {
                throw ResourceError(field: field, "\(value) is above the operator's maximum of \(maximum)")
            }
            return value
        }
        return JobResources(cpus: try pick(.cpus, \.cpus, minimum: 1), memoryMB: try pick(.memoryMB, \.memoryMB, minimum: 1),
                            gpus: try pick(.gpus, \.gpus, minimum: 0),
                            timeLimitMinutes: try pick(.timeLimitMinutes, \.timeLimitMinutes, minimum: 1))
    }

    /// Checks a new job of `owner` against the per-owner limits, given the owner's unfinished jobs'
    /// resources. Returns nil when it may be queued, else why not.
    public func ownerLimitViolation(new: JobResources, unfinished: [JobResources]) -> String? {
        if let maxJobs = maxJobsPerOwner, unfinished.count + 1 > maxJobs {
            return "you have \(unfinished.count) unfinished jobs; the limit is \(maxJobs) per user"
        }
        if let maxGPUs = maxGPUsPerOwner {
            let inUse = unfinished.reduce(0) { $0 + ($1.gpus ?? 0) }
            if inUse + (new.gpus ?? 0) > maxGPUs {
                return "your unfinished jobs hold \(inUse) GPUs and this one asks for \(new.gpus ?? 0); the limit is \(maxGPUs) per user"
            }
        }
        return nil
    }

    /// Throws when a default is missing or above its maximum, or a limit is not positive.
    public func validated() throws -> ResourcePolicy {
        _ = try effective(JobResources())
        for (name, value) in [("max jobs per owner", maxJobsPerOwner), ("max GPUs per owner", maxGPUsPerOwner)] {
            if let value, value < (name.contains("GPU") ? 0 : 1) {
                throw ServiceConfigurationError("\(name) must be positive (got \(value))")
            }
        }
        if let perOwner = maxGPUsPerOwner, let gpus = defaults.gpus, gpus > perOwner {
            throw ServiceConfigurationError("the default GPUs (\(gpus)) exceed the per-owner GPU limit (\(perOwner))")
        }
        return self
    }
}

/// A resource request the policy refuses; `field` is the JSON path (`resources.gpus`).
public struct ResourceError: Error, CustomStringConvertible, Equatable {
    public let field: String
    public let reason: String
    init(field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }
    public var description: String { "\(field): \(reason)" }
}
