import Foundation
import Hummingbird

/// Server-Sent Events for one job: its stored `JobEvent`s, replayed from the start or from a resume
/// point, then followed by polling the store (the store is the single source of truth, so a restarted
/// service or a second replica needs no event bus).
///
/// Each event's SSE `id` is its `JobEvent.id`: ids increase across connections and service restarts, and
/// a client that reconnects with `Last-Event-ID: N` (or `?last_event_id=N`, for clients that cannot set
/// headers) gets exactly the events after N, none twice. Nothing is coalesced: every state change, every
/// recorded progress (the scheduler records a few per second) and every log line is delivered, so a
/// fresh connection can draw the whole error curve. A `: keep-alive` comment goes out every `keepAlive`
/// seconds. The stream ends once every event of a job in a terminal state has been sent (the terminal
/// state is a job's last event), when the job is deleted, or when the service shuts down. A connection
/// that resumes after the last event of a finished job gets `204 No Content`, which tells a browser's
/// `EventSource` to stop reconnecting.
struct JobEventStream: Sendable {
    let store: any JobStore
    let id: String
    /// Ends the stream (with a comment) when the service shuts down.
    let stopping: StopFlag
    /// Events with an id up to this one were seen by the client already.
    let after: Int64
    var pollInterval: Double = 0.25
    var keepAlive: Double = 15
    /// Events read from the store at once.
    var batch = 500

    func response() throws -> Response {
        if let job = try store.job(id: id), job.state.isTerminal, try store.events(jobID: id, after: after, limit: 1).isEmpty {
            return Response(status: .noContent)
        }
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
        var last = after
        var lastSent = Date()
        while true {
            if stopping.isSet {
                try await writer.write(ByteBuffer(string: ": the service is stopping\n\n"))
                return
            }
            // The job is read before its events: when it is terminal here, its last event is already stored.
            guard let job = try store.job(id: id) else { return }
            let events = try store.events(jobID: id, after: last, limit: batch)
            if !events.isEmpty {
                try await writer.write(ByteBuffer(string: events.map(Self.format).joined()))
                last = events.last!.id ?? last
                lastSent = Date()
                if events.count == batch { continue }
            }
            if job.state.isTerminal { return }
            if Date().timeIntervalSince(lastSent) >= keepAlive {
                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                lastSent = Date()
            }
            try await Task.sleep(nanoseconds: UInt64(pollInterval * 1e9))
        }
    }

    static func format(_ event: JobEvent) -> String {
        "id: \(event.id ?? 0)\nevent: \(event.kind.rawValue)\ndata: \(event.data)\n\n"
    }

    /// The resume point a request names: the `Last-Event-ID` header, else the `last_event_id` query
    /// parameter; 0 when neither is present or the value is empty (an `EventSource` whose last event had no
    /// id). Anything but a non-negative decimal integer is a 400: a client that sends garbage would
    /// otherwise silently get the whole stream again.
    static func resumePoint(_ request: Request) throws -> Int64 {
        let raw = request.headers[.lastEventID] ?? request.uri.queryParameters.get("last_event_id")
        guard let text = raw?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return 0 }
        guard text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let value = Int64(text) else {
            throw APIError(.badRequest, "invalid Last-Event-ID",
                           detail: "'\(text.prefix(40))' is not an event id (a non-negative integer)")
        }
        return value
    }
}
