import Foundation
import Hummingbird

/// `/metrics` in the Prometheus text format: jobs by state (every state listed, zeros included).
enum MetricsText {
    static func render(counts: [JobState: Int]) -> String {
        var text = "# HELP ptychite_jobs Jobs known to the service, by state.\n# TYPE ptychite_jobs gauge\n"
        for state in JobState.allCases {
            text += "ptychite_jobs{state=\"\(state.rawValue)\"} \(counts[state] ?? 0)\n"
        }
        text += "# HELP ptychite_queue_length Jobs waiting to start.\n# TYPE ptychite_queue_length gauge\n"
        text += "ptychite_queue_length \(counts[.queued] ?? 0)\n"
        return text
    }

    static func response(store: any JobStore) throws -> Response {
        let text = render(counts: try store.countByState())
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
