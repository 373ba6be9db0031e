import ArgumentParser
import Foundation

@main
struct Ptychite: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ptychite",
        abstract: "X-ray ptychography reconstruction: simulate, inspect, reconstruct and compare.",
        discussion: """
            Exit codes: 0 success; 1 bad input or output (one line names the file, dataset and problem); \
            2 bad usage or configuration; 3 not enough memory; 130/143 interrupted (the partial result is \
            still written; a second Ctrl-C quits at once without it).
            """,
        version: version,
        subcommands: [SimulateCommand.self, InfoCommand.self, ReconstructCommand.self, CompareCommand.self,
                      ServeCommand.self])

    /// ArgumentParser's own entry point, except that a command line it cannot parse (unknown option,
    /// invalid value, missing argument) exits with the documented usage status 2 instead of its 64.
    /// `serve` is the only asynchronous subcommand; the others run synchronously as before.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }
}

/// The exit codes of every subcommand (documented in `ptychite --help`).
enum ExitStatus {
    static let inputOutput: Int32 = 1
    static let usage: Int32 = 2
    static let memory: Int32 = 3
}

/// A failure reported as one line on standard error, never a stack trace.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let status: Int32
    var description: String { message }
}

/// Runs a subcommand's body, turning every error into one line on standard error and an exit code.
func reportingFailures(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CommandFailure {
        printError(error.message)
        throw ExitCode(error.status)
    } catch let error as ExitCode {
        throw error
    } catch {
        printError(oneLine("\(error)"))
        throw ExitCode(ExitStatus.inputOutput)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("ptychite: error: \(message)\n".utf8))
}

/// Human-readable notes go to standard error so that standard output can carry JSON lines.
func printNote(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}

func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ")
}
