import Foundation

/// The files of one job under `<state>/jobs/<id>/`.
///
/// Invariant: every path is inside the job's own folder; `id` was checked by `JobRecord.isValidID`, so it
/// cannot contain a separator or `..`.
public struct JobFolder: Sendable {
    public let path: String

    public init(stateDirectory: String, id: String) {
        precondition(JobRecord.isValidID(id), "job ids are lowercase UUIDs")
        path = stateDirectory + "/jobs/" + id
    }

    /// The configuration the child runs with (absolute input and output paths).
    public var configurationFile: String { path + "/job.json" }
    /// The child's standard error.
    public var logFile: String { path + "/log.txt" }
    /// Every progress line the child printed, in order.
    public var progressFile: String { path + "/progress.jsonl" }
    /// The HDF5 result and its previews.
    public var resultsDirectory: String { path + "/results" }
    public var resultFile: String { resultsDirectory + "/result.h5" }
    /// Where `ptychite reconstruct -o result.h5 --checkpoint-every K` keeps its checkpoint.
    public var checkpointFile: String { resultsDirectory + "/result.checkpoint.h5" }
    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpointFile) }

    public func create() throws {
        try FileManager.default.createDirectory(atPath: resultsDirectory, withIntermediateDirectories: true)
    }

    public func remove() throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }

    /// The files a user may download: everything directly in `results/` (no hidden or temporary files)
    /// plus the log. Names only, never paths.
    public func downloadableFiles() -> [(name: String, path: String)] {
        let fm = FileManager.default
        var files: [(String, String)] = []
        let names = (try? fm.contentsOfDirectory(atPath: resultsDirectory)) ?? []
        for name in names.sorted() where !name.hasPrefix(".") {
            let full = resultsDirectory + "/" + name
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue { files.append((name, full)) }
        }
        if fm.fileExists(atPath: logFile) { files.append(("log.txt", logFile)) }
        return files
    }

    /// The last non-empty line of the log (the CLI's one-line error), if any.
    public func lastLogLine() -> String? {
        guard let handle = FileHandle(forReadingAtPath: logFile) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > 4096 ? size - 4096 : 0
        try? handle.seek(toOffset: start)
        let tail = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return tail.split(whereSeparator: \.isNewline).last.map(String.init)
    }
}
