import Foundation

/// One Server-Sent Event as a client reads it off the wire (comments skipped).
struct SentEvent: Equatable, CustomStringConvertible {
    let id: Int64
    let name: String
    let data: String

    var description: String { "#\(id) \(name) \(data.prefix(80))" }

    /// The events of a complete stream text; events without an id are dropped (the service gives every one).
    static func parse(_ text: String) -> [SentEvent] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var id: Int64?, name = "message", data: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix(":") {
                if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                else if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                else if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return id.map { SentEvent(id: $0, name: name, data: data.joined(separator: "\n")) }
        }
    }

    /// The `state` field of a state event's data.
    static func state(_ data: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])?["state"] as? String
    }
}
