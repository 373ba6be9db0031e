import PtychoCore

/// What `ptychite info` shows about a CXI file, gathered without reading the frames.
public struct CXISummary: Sendable {
    public var file: String
    /// The path the frames were found at.
    public var dataPath: String?
    public var frameCount: Int?
    /// `[ny, nx]`.
    public var frameShape: [Int]?
    /// numpy-style element type of the frames, e.g. `uint32`.
    public var dataType: String?
    /// Present when energy, distance and pixel sizes are all valid.
    public var geometry: ExperimentGeometry?
    public var translationLayout: TranslationLayout?
    /// Number of good detector pixels (all of them when the file has no mask).
    public var goodPixelCount: Int?
    public var hasDark = false
    public var hasMonitor = false
    /// Every problem found, one line each; `read` would throw the first of them.
    public var problems: [String] = []
    public var warnings: [String] = []

    /// True when no problem was found (intensity values are not checked by `inspect`).
    public var isValid: Bool { problems.isEmpty }
}

extension CXIReader {
    /// Checks everything except the intensity values, collecting every problem instead of stopping at
    /// the first. Cheap: reads metadata, mask and monitor, never the frames.
    public static func inspect(path: String) -> CXISummary {
        var summary = CXISummary(file: path)
        let file: HDF5File
        do {
            file = try InputFile.openHDF5(path)
        } catch {
            summary.problems.append("\(error)")
            return summary
        }
        defer { try? file.close() }
        let metadata = CXIMetadata(file: file)
        func collect<T>(_ step: () throws -> T) -> T? {
            do { return try step() } catch {
                summary.problems.append("\(error)")
                return nil
            }
        }
        var warnings: [String] = []
        _ = collect { try metadata.energy(warnings: &warnings) }
        _ = collect { try metadata.distance(warnings: &warnings) }
        _ = collect { try metadata.pixelSize(warnings: &warnings) }
        if let data = collect({ try metadata.frames() }) {
            let (frameCount, height, width) = (data.shape[0], data.shape[1], data.shape[2])
            summary.dataPath = data.path
            summary.frameCount = frameCount
            summary.frameShape = [height, width]
            summary.dataType = data.elementKind.description
            var ignored: [String] = []
            summary.geometry = try? metadata.geometry(frameHeight: height, frameWidth: width, warnings: &ignored)
            summary.translationLayout = collect {
                try metadata.positions(frameCount: frameCount, dataPath: data.path, convention: .sample).layout
            }
            let mask = collect { try metadata.mask(frameHeight: height, frameWidth: width) }
            summary.goodPixelCount = mask.map { $0.storage.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }
            // Both steps return nil for "absent"; the outer nil means "present but invalid".
            summary.hasDark = (collect { try metadata.dark(frameHeight: height, frameWidth: width) } ?? nil) != nil
            summary.hasMonitor = (collect { try metadata.monitorScale(frameCount: frameCount, dataPath: data.path) }
                ?? nil) != nil
        }
        summary.warnings = warnings
        return summary
    }
}
