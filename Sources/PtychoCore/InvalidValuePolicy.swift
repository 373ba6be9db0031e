/// What a reader does with a negative or non-finite raw value on a pixel the file's mask calls good.
public enum InvalidValuePolicy: String, Sendable, Codable, CaseIterable {
    /// Refuse the file, naming the first such value: usually a wrong dataset, or detector gaps the file
    /// does not mask, which the user should see rather than have guessed.
    case refuse
    /// Mask every detector pixel that holds such a value in any frame, and say so: for detectors that write
    /// -1, -2 or NaN into gaps and dead pixels without a mask dataset.
    case mask
}

extension InvalidValuePolicy {
    /// The policy a user named (configuration key or flag, case-insensitive), or nil.
    public init?(named name: String) { self.init(rawValue: name.lowercased()) }

    /// The accepted names, for messages: "refuse or mask".
    public static let choices = allCases.map(\.rawValue).joined(separator: " or ")
}
