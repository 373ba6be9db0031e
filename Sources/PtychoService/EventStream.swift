import Foundation
import Hummingbird

/// Server-Sent Events for one job, produced by polling the store (the store is the single source of
/// truth, so a restarted service or a second replica needs no event bus).
///
/// Events: `state` (data: the job as `GET /jobs/{id}` shows it) whenever the state or message changes,
/// `progress` (data: the progress object) whenever a new iteration is recorded, `log` (data: one line
/// of the job's log as a JSON string) for each complete line the reconstruction writes to its log. Ids increase within a
/// connection; a `: keep-alive` comment goes out every `keepAlive` seconds. The stream ends after the
/// event that reports a terminal state, when the job is deleted, or when the service shuts down.
struct JobEventStream: Sendable {
    let store: any JobStore
    let id: String
    /// Ends the stream (with a comment) when the service shuts down.
    let stopping: StopFlag
    /// The job's log file, followed from its start.
    let logFile: String?
    var pollInterval: Double = 0.25
    var keepAlive: Double = 15

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let stream = self
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await stream.write(to: &writer)
            try await writer.finish(nil)
        })
    }

    private func write(to writer: inout any ResponseBodyWriter) async throws {
        var eventID = 0
        var lastState: (JobState, String?)?
        var lastProgress: String?
        var lastSent = Date()
        var log = LogFollower(path: logFile)
        while true {
            if stopping.isSet {
                try await writer.write(ByteBuffer(string: ": the service is stopping\n\n"))
                return
            }
            guard let job = try store.job(id: id) else { return }
            for line in log.newLines() {
                eventID += 1
                try await writer.write(ByteBuffer(string: Self.event("log", id: eventID, data: JSON.encode(line))))
                lastSent = Date()
            }
            if let progress = job.progress, progress != lastProgress, let parsed = job.decodedProgress {
                lastProgress = progress
                eventID += 1
                try await writer.write(ByteBuffer(string: Self.event("progress", id: eventID, data: JSON.encode(parsed))))
                lastSent = Date()
            }
            if lastState == nil || lastState! != (job.state, job.message) {
                lastState = (job.state, job.message)
                eventID += 1
                try await writer.write(ByteBuffer(string: Self.event("state", id: eventID, data: JSON.encode(JobView(job)))))
                lastSent = Date()
                if job.state.isTerminal { return }
            }
            if Date().timeIntervalSince(lastSent) >= keepAlive {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                lastSent = Date()
            }
            try await Task.sleep(nanoseconds: UInt64(pollInterval * 1e9))
        }
    }

    static func event(_ name: String, id: Int, data: Data) -> String {
        "id: \(id)\nevent: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }
}

/// Reads the complete lines appended to a file since the last call (at most 1 MiB per call).
struct LogFollower {
    let path: String?
    private var offset: UInt64 = 0
    private var pending = Data()

    init(path: String?) { self.path = path }

    mutating func newLines() -> [String] {
        guard let path, let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty else {
            return []
        }
        offset += UInt64(chunk.count)
        pending.append(chunk)
        var lines: [String] = []
        while let newline = pending.firstIndex(of: 10) {
            lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
            pending = Data(pending[(newline + 1)...])
        }
        return lines
    }
}
