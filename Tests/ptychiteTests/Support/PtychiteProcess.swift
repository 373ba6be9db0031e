import Foundation
import PtychoTestSupport
import XCTest

/// How a finished `ptychite` run ended and what it printed.
struct PtychiteOutcome {
    let arguments: [String]
    /// The exit status, or the signal number when `exitedNormally` is false.
    let status: Int32
    /// False when a signal killed the process (a crash: SIGILL from a Swift trap, SIGSEGV…, or the watchdog).
    let exitedNormally: Bool
    /// The watchdog killed the process because it ran past its time limit.
    let timedOut: Bool
    let stdout: String
    let stderr: String

    /// Standard output as lines, without the final newline's empty remainder.
    var stdoutLines: [String] { Self.lines(stdout) }
    var stderrLines: [String] { Self.lines(stderr) }

    /// One line for assertion messages: the command and everything it printed.
    var summary: String {
        "ptychite \(arguments.joined(separator: " ")) → \(exitedNormally ? "exit" : "signal") \(status)"
            + "\n--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)"
    }

    private static func lines(_ text: String) -> [String] {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// The built `ptychite` executable, run as a child process with an argument array (no shell, so paths
/// need no quoting), with a watchdog so that a hung binary fails its test instead of hanging the suite.
///
/// Standard error goes to a file (never a pipe nobody reads, which would block a chatty child); standard
/// output is a pipe so that a test can react to the first progress line while the process runs.
final class PtychiteProcess {
    /// Generous for these small data sets (each run takes well under a second in release); debug builds
    /// are 10-50× slower.
    static let defaultTimeout: TimeInterval = 120

    let arguments: [String]
    private let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPath: String
    private let watchdog: Watchdog
    private var pendingStdout = Data()
    private var collectedStdout = Data()

    /// Starts `ptychite` with `arguments`.
    init(_ arguments: [String], timeout: TimeInterval = defaultTimeout) throws {
        self.arguments = arguments
        let binary = try PtychiteBinary.url()
        stderrPath = NSTemporaryDirectory() + "ptychite-stderr-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: stderrPath, contents: nil),
              let stderrFile = FileHandle(forWritingAtPath: stderrPath) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: stderrPath])
        }
        process.executableURL = binary
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutPipe
        process.standardError = stderrFile
        defer { try? stderrFile.close() }
        do { try process.run() } catch {
            try? FileManager.default.removeItem(atPath: stderrPath)
            throw error
        }
        watchdog = Watchdog(process: process, timeout: timeout)
    }

    /// Runs `ptychite` with `arguments` to completion.
    static func run(_ arguments: [String], timeout: TimeInterval = defaultTimeout) throws -> PtychiteOutcome {
        try PtychiteProcess(arguments, timeout: timeout).wait()
    }

    /// The next complete line of standard output, or nil at end of file (the process exited or was killed).
    func nextStdoutLine() -> String? {
        let handle = stdoutPipe.fileHandleForReading
        while true {
            if let newline = pendingStdout.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pendingStdout[pendingStdout.startIndex..<newline]
                collectedStdout.append(pendingStdout[pendingStdout.startIndex...newline])
                pendingStdout = Data(pendingStdout[(newline + 1)...])
                return String(decoding: line, as: UTF8.self)
            }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            pendingStdout.append(chunk)
        }
    }

    /// Sends `signal` to the process.
    func send(signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Reads the rest of standard output, waits for the exit and collects everything printed.
    func wait() -> PtychiteOutcome {
        let rest = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        let stdout = collectedStdout + pendingStdout + rest
        let stderr = FileManager.default.contents(atPath: stderrPath) ?? Data()
        try? FileManager.default.removeItem(atPath: stderrPath)
        return PtychiteOutcome(arguments: arguments, status: process.terminationStatus,
                               exitedNormally: process.terminationReason == .exit, timedOut: watchdog.fired,
                               stdout: String(decoding: stdout, as: UTF8.self),
                               stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// Kills a child process with SIGKILL when it outlives its time limit.
private final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = false
    private var didFire = false

    init(process: Process, timeout: TimeInterval) {
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
            lock.lock()
            defer { lock.unlock() }
            // Once `finished` is set the pid may be reused, so never signal after that. (Between Foundation
            // reaping the child and `cancel` lie microseconds, far too little for the pid to come round again.)
            guard !finished else { return }
            didFire = true
            kill(pid, SIGKILL)
        }
    }

    /// Called as soon as the process has exited.
    func cancel() {
        lock.lock()
        finished = true
        lock.unlock()
    }

    var fired: Bool {
        lock.lock()
        defer { lock.unlock() }
        return didFire
    }
}

/// Finds the `ptychite` executable that `swift build --product ptychite` put beside the test bundle.
enum PtychiteBinary {
    /// Overrides the search, e.g. to test an installed binary.
    static let environmentVariable = "PTYCHITE_BINARY"

    static func url() throws -> URL {
        if let override = ProcessInfo.processInfo.environment[environmentVariable], !override.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: override) else {
                throw PtychiteBinaryError(message: "\(environmentVariable)=\(override) is not an executable file")
            }
            return URL(fileURLWithPath: override)
        }
        // Linux: the xctest runner is an executable in the build folder (.build/<configuration>/…xctest),
        // so argv[0] and the main bundle point there. macOS: the tests are a .xctest bundle inside it.
        let places = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                      Bundle.main.bundleURL, Bundle(for: PtychiteProcess.self).bundleURL]
        var tried: [String] = []
        for place in places {
            for folder in [place, place.deletingLastPathComponent()] {
                let candidate = folder.appendingPathComponent("ptychite")
                tried.append(candidate.path)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        throw PtychiteBinaryError(message: "no ptychite executable beside the tests (tried \(tried.joined(separator: ", "))); "
                                  + "run `swift build -c release --product ptychite` first or set \(environmentVariable)")
    }
}

struct PtychiteBinaryError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
