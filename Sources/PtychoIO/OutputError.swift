/// A failure while writing an output file, as one line: `<file>: <dataset>: <problem>` (or
/// `<file>: <problem>`). `file` is the destination the caller asked for, never the temporary name.
public struct OutputError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let dataset: String?
    public let problem: String

    public init(file: String, dataset: String? = nil, problem: String) {
        self.file = file
        self.dataset = dataset
        self.problem = problem
    }

    public var description: String { [file, dataset, problem].compactMap { $0 }.joined(separator: ": ") }
}
