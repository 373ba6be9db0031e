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
    /// Reads the file, calling `admit` with the validated header before the frame buffer is allocated, so
    /// a caller can refuse (e.g. over its memory budget) without the frames ever being read.
    func read(path: String, beforeReadingFrames admit: (DatasetHeader) throws -> Void) throws -> LoadedDataset
}

extension DatasetReader {
    /// Reads the whole file, admitting any header.
    public func read(path: String) throws -> LoadedDataset { try read(path: path, beforeReadingFrames: { _ in }) }
}

/// What a reader knows before it reads the frames: enough to size a reconstruction.
public struct DatasetHeader: Sendable {
    public let geometry: ExperimentGeometry
    public let positions: ScanPositions
    public let frameCount: Int
    public let frameHeight: Int
    public let frameWidth: Int

    public init(geometry: ExperimentGeometry, positions: ScanPositions, frameCount: Int, frameHeight: Int,
                frameWidth: Int) {
        self.geometry = geometry
        self.positions = positions
        self.frameCount = frameCount
        self.frameHeight = frameHeight
        self.frameWidth = frameWidth
    }
}
