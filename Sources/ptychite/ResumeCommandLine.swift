import Foundation
import PtychoCore
import PtychoIO

/// `ptychite reconstruct --resume CHECKPOINT`: the checkpoint's configuration, with only the options that
/// cannot change the iterates' arithmetic (output, progress, checkpoint interval) and the thread count
/// (which changes only rounding, and is said so) taken from the command line.
struct ResumeCommandLine {
    let command: ReconstructCommand

    func runner(checkpoint path: String) throws -> ReconstructionRunner {
        let given = [("INPUT", command.input != nil), ("--config", command.config != nil),
                     ("--engine", command.engine != nil), ("--probe-modes", command.probeModes != nil),
                     ("--seed", command.seed != nil), ("--translation", command.translation != nil),
                     ("--probe", command.probe != nil), ("--probe-diameter-um", command.probeDiameter != nil),
                     ("--probe-update-start", command.probeUpdateStart != nil),
                     ("--max-memory", command.maxMemory != nil), ("--device", command.device != nil),
                     ("--fft-planning", command.fftPlanning != nil)]
            .filter(\.1).map(\.0)
        guard given.isEmpty else {
            throw CommandFailure(message: "--resume continues the checkpoint's configuration; \(given.joined(separator: ", ")) "
                                 + "cannot be given with it (only -o, --progress, --threads, --checkpoint-every)",
                                 status: ExitStatus.usage)
        }
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
}
