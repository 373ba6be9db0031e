import PtychoCore

/// A validated data set plus the non-fatal remarks made while reading it.
public struct LoadedDataset: @unchecked Sendable {
    /// Satisfies every invariant documented on `DiffractionDataset`.
    public let dataset: DiffractionDataset
    /// One line each, ready to print (e.g. the detector distance varied between frames).
    public let warnings: [String]

    public init(dataset: DiffractionDataset, warnings: [String]) {
        self.dataset = dataset
        self.warnings = warnings
    }
}

/// Reads one on-disk layout into a `DiffractionDataset`. Every reader validates fully and throws
/// `InputError` (one line naming file, dataset and problem) rather than handing engines bad data.
public protocol DatasetReader: Sendable {
    func read(path: String) throws -> LoadedDataset
}
