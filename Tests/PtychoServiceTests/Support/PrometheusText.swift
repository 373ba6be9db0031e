import Foundation

/// A Prometheus text exposition as a scraper reads it: `# TYPE` lines and samples `name{labels} value`.
/// Parsing is strict: a line that is neither a comment nor a well-formed sample fails the parse.
struct PrometheusText {
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    let samples: [Sample]
    let types: [String: String]

    init(_ text: String) throws {
        var samples: [Sample] = [], types: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw TestFailure("bad TYPE line: \(line)") }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
                    ?? (line[line.index(after: space)...] == "+Inf" ? .infinity : nil) else {
                throw TestFailure("bad sample line: \(line)")
            }
            let series = line[..<space]
            var name = String(series), labels: [String: String] = [:]
            if let open = series.firstIndex(of: "{") {
                guard series.hasSuffix("}") else { throw TestFailure("bad labels: \(line)") }
                name = String(series[..<open])
                let body = series[series.index(after: open)..<series.index(before: series.endIndex)]
                // Values are quoted and hold no `",` in what the service emits; split on `",`.
                for pair in body.components(separatedBy: "\",") where !pair.isEmpty {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2, kv[1].hasPrefix("\"") else { throw TestFailure("bad label \(pair) in \(line)") }
                    labels[String(kv[0])] = String(kv[1].dropFirst().replacingOccurrences(of: "\"", with: ""))
                }
            }
            guard name.range(of: "^[a-zA-Z_:][a-zA-Z0-9_:]*$", options: .regularExpression) != nil else {
                throw TestFailure("bad metric name in \(line)")
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
        self.samples = samples
        self.types = types
    }

    /// The value of the one sample named `name` whose labels include `labels`; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in
            sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value }
        }
        return matching.count == 1 ? matching[0].value : nil
    }

    func all(_ name: String) -> [Sample] { samples.filter { $0.name == name } }
}
