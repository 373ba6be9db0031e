import Foundation

/// Turns the lines a job's child appends to its log into `log` events.
///
/// The child writes `log.txt` directly (its standard error), so the service follows the file: the job
/// record's `logOffset` says how far it has been read, and `JobStore.appendLog` moves it in the same
/// transaction that records the lines. A line is therefore recorded exactly once, whichever process reads
/// it, and reading resumes where it stopped after a restart. Only complete lines are taken while the child
/// runs; once it has ended (`final`), an unterminated last line is taken too.
enum JobLogIngester {
    /// Reads at most this much per call; a longer run of bytes without a newline becomes one line.
    static let chunkBytes = 1 << 20

    /// Records the new lines of `folder`'s log for job `id`. Errors are ignored: the next call retries
    /// from the stored offset.
    static func ingest(store: any JobStore, id: String, folder: JobFolder, final: Bool) {
        while let job = try? store.job(id: id),
              let (lines, next) = newLines(path: folder.logFile, from: job.logOffset, final: final),
              (try? store.appendLog(id: id, lines: lines, from: job.logOffset, to: next)) == true,
              next - job.logOffset == Int64(chunkBytes) {}
    }

    /// The lines of the file from byte `offset` and the offset after the last one taken; nil when there
    /// is nothing new (or the file cannot be read).
    static func newLines(path: String, from offset: Int64, final: Bool) -> (lines: [String], next: Int64)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(offset))) != nil,
              let chunk = try? handle.read(upToCount: chunkBytes), !chunk.isEmpty else { return nil }
        var taken = chunk.count
        if !final && chunk.count < chunkBytes {
            // Keep a partial last line for the next call: the child is still writing it.
            guard let lastNewline = chunk.lastIndex(of: 10) else { return nil }
            taken = lastNewline - chunk.startIndex + 1
        }
        let text = chunk.prefix(taken)
        var lines = text.split(separator: 10, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if text.last == 10 { lines.removeLast() }
        return (lines, offset + Int64(taken))
    }
}
