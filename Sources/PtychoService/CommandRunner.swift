import Foundation

/// What a short-lived command printed and how it ended.
public struct CommandResult: Sendable {
    public var status: Int32
    public var standardOutput: Data
    public var standardError: String

    public var succeeded: Bool { status == 0 }
    public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
}

/// Runs short commands (`sbatch`, `squeue`, …) with an argument array, never through a shell, and
/// collects their output. The wait happens on a dedicated thread, so the concurrency pool is never
/// blocked; a command that outlives `timeout` is killed and reported as status 124.
public struct CommandRunner: Sendable {
    /// Folder of the commands; nil: searched on `PATH`.
    public let directory: String?
    public let timeout: Double

    public init(directory: String?, timeout: Double = 60) {
        self.directory = directory
        self.timeout = timeout
    }

    public func run(_ name: String, _ arguments: [String]) async -> CommandResult {
        guard let executable = resolve(name) else {
            return CommandResult(status: 127, standardOutput: Data(), standardError: "\(name): command not found")
        }
        let timeout = self.timeout
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Self.runBlocking(executable, arguments, timeout: timeout))
            }
        }
    }

    /// The command's path: in `directory`, else the first executable on `PATH`.
    func resolve(_ name: String) -> String? {
        let folders = directory.map { [$0] }
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], timeout: Double) -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            return CommandResult(status: 126, standardOutput: Data(), standardError: "cannot run \(executable): \(error)")
        }
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        // Standard error on a second thread, so that neither pipe can fill up and stall the command.
        let errorBox = DataBox()
        let errorDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            errorBox.data = error.fileHandleForReading.readDataToEndOfFile()
            errorDone.signal()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        errorDone.wait()
        process.waitUntilExit()
        killer.cancel()
        let timedOut = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM
        return CommandResult(status: timedOut ? 124 : process.terminationStatus, standardOutput: data,
                             standardError: String(decoding: errorBox.data, as: UTF8.self))
    }
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}
