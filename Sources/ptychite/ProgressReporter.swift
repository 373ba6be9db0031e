import Foundation
import PtychoCore

/// How a reconstruction reports its iterations.
enum ProgressStyle: String, CaseIterable {
    case auto, bar, jsonl, none

    /// `auto` is a live bar on a terminal and JSON lines otherwise (the job service reads those).
    func resolved() -> ProgressStyle {
        guard self == .auto else { return self }
        return isatty(STDOUT_FILENO) != 0 ? .bar : .jsonl
    }
}

/// Writes one line per iteration (`jsonl`) or redraws a one-line bar with the iteration, errors and ETA.
///
/// The JSON-lines form is a contract with the job service: each line is one object with `iteration`,
/// `of`, `engine`, `fourier_error`, `llk_poisson`, `seconds` and `mode_power` (an array, one power
/// fraction per probe mode).
struct ProgressReporter {
    let style: ProgressStyle
    private var lastDraw = Date.distantPast

    init(style: ProgressStyle) { self.style = style.resolved() }

    mutating func report(_ record: IterationRecord, of total: Int) {
        switch style {
        case .jsonl:
            // `mode_power` (probe-mode orthogonalisation, issue 3 item 4): each mode's power fraction.
            let modePower = record.modePower.map { String(format: "%.6g", $0) }.joined(separator: ",")
            let line = String(format: #"{"iteration":%d,"of":%d,"engine":"%@","fourier_error":%.9g,"llk_poisson":%.9g,"seconds":%.6f,"mode_power":[%@]}"#,
                              record.iteration, total, record.engine, record.fourierError, record.poissonNLL,
                              record.seconds, modePower) + "\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        case .bar:
            let now = Date()
            guard record.iteration == total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            let width = 30
            let filled = Int(Double(width) * Double(record.iteration) / Double(max(1, total)))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let remaining = record.seconds / Double(record.iteration) * Double(total - record.iteration)
            let line = String(format: "\r%@ %d/%d %@  error %.4e  nll %.4g  %@ elapsed, ETA %@\u{1B}[K",
                              bar, record.iteration, total, record.engine, record.fourierError, record.poissonNLL,
                              Self.clock(record.seconds), Self.clock(remaining))
            FileHandle.standardOutput.write(Data(line.utf8))
            if record.iteration == total { FileHandle.standardOutput.write(Data("\n".utf8)) }
        case .none, .auto:
            break
        }
    }

    /// Finishes a bar that stopped early (cancelled).
    func finish() {
        if style == .bar { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String(format: "%02d:%02d", s / 60, s % 60)
    }
}
