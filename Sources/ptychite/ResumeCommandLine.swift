import Foundation
import PtychoCore
import PtychoIO

/// `ptychite reconstruct --resume CHECKPOINT`: the checkpoint's configuration, with only the options that
/// cannot change the iterates' arithmetic (output, progress, checkpoint interval) and the thread count
/// (which changes only rounding, and is said so) taken from the command line.
struct ResumeCommandLine {
    let command: ReconstructCommand

    func runner(checkpoint path: String) throws -> ReconstructionRunner {
        try refuseOptionsThatChangeTheRun()
        let contents: CheckpointContents
        do { contents = try CheckpointReader().read(path: path) } catch {
            throw CommandFailure(message: "\(error)", status: ExitStatus.inputOutput)
        }
        var configuration: ReconstructionConfiguration
        do { configuration = try ReconstructionConfiguration.decode(json: Data(contents.result.configurationJSON.utf8)) } catch {
            throw CommandFailure(message: "\(path): /entry_1/process_1/configuration: \(error)", status: ExitStatus.inputOutput)
        }
        configuration.input = contents.inputPath
        if let output = command.output { configuration.output = output }
        if let progress = command.progress { configuration.progress = progress }
        if let interval = command.checkpointEvery { configuration.checkpointEvery = interval }
        var threads = contents.threads
        if let requested = command.threads, requested != 0, requested != threads {
            printNote("ptychite: note: resuming on \(requested) threads instead of the checkpoint's \(threads); "
                      + "frame sums are split differently, so the result differs from an uninterrupted run by rounding")
            threads = requested
        }
        configuration.threads = threads
        return try ReconstructionRunner(configuration: configuration,
                                        command: CommandLine.arguments.joined(separator: " "),
                                        resuming: contents, threads: threads)
    }

    /// Every flag but -o, --progress, --threads and --checkpoint-every would make the resumed run differ
    /// from the one that was interrupted: refused, with the keys named.
    private func refuseOptionsThatChangeTheRun() throws {
        var given = [command.input != nil ? "INPUT" : nil, command.config != nil ? "--config" : nil].compactMap { $0 }
        var flags = ReconstructionConfiguration()
        try command.applyFlags(to: &flags)
        flags.output = nil
        flags.progress = ReconstructionConfiguration().progress
        flags.threads = ReconstructionConfiguration().threads
        flags.checkpointEvery = nil
        given += Self.keysThatDiffer(flags, ReconstructionConfiguration())
        guard given.isEmpty else {
            throw CommandFailure(message: "--resume continues the checkpoint's configuration; \(given.joined(separator: ", ")) "
                                 + "cannot be given with it (only -o, --progress, --threads, --checkpoint-every)",
                                 status: ExitStatus.usage)
        }
    }

    private static func keysThatDiffer(_ a: ReconstructionConfiguration, _ b: ReconstructionConfiguration) -> [String] {
        func object(_ c: ReconstructionConfiguration) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(c.encodedJSON().utf8))) as? [String: Any] ?? [:]
        }
        let left = object(a), right = object(b)
        // Both sides come from the same encoder and parser, so their printed forms compare the values
        // (Foundation's Bool bridging on Linux makes NSDictionary equality unreliable here).
        return left.keys.sorted().filter { key in "\(left[key] ?? "null")" != "\(right[key] ?? "null")" }
    }
}
