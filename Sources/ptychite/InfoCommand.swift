import ArgumentParser
import Foundation
import PtychoCore
import PtychoIO
import PtychoOpenCL

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe an input (CXI, PtychoShelves or PtyLab): layout, contents, object pixel and array sizes, memory needed, every problem found.")

    @Argument(help: "Input file: CXI, PtychoShelves or PtyLab (detected).") var input: String?
    @Flag(help: "List the compute devices (CPU and every OpenCL device) and what --device auto picks; with an input, also the memory it needs on each OpenCL device.")
    var devices = false
    @Option(name: .customLong("probe-modes"), help: "Probe modes assumed for the memory estimate.") var probeModes = 1
    @Option(help: "Threads assumed for the memory estimate (0 = every core).") var threads = 0
    @Option(help: "How to read the translation: sample (CXI text) or probe.") var translation = "sample"
    @Option(name: .customLong("invalid-values"),
            help: "Negative or non-finite values on unmasked pixels: refuse (a problem, default) or mask (a warning counting them).")
    var invalidValues = "refuse"
    @OptionGroup var geometry: GeometryFlags

    func run() throws {
        try reportingFailures {
            if devices {
                ComputeDeviceChoice.describeDevices().forEach { print($0) }
                if self.input == nil { return }
            }
            guard let input = self.input else {
                throw CommandFailure(message: "info needs an input file (or --devices)", status: ExitStatus.usage)
            }
            guard let convention = TranslationConvention(rawValue: translation.lowercased()) else {
                throw CommandFailure(message: "--translation must be sample or probe", status: ExitStatus.usage)
            }
            guard let invalidValuePolicy = InvalidValuePolicy(named: invalidValues) else {
                throw CommandFailure(message: "--invalid-values must be \(InvalidValuePolicy.choices)", status: ExitStatus.usage)
            }
            guard probeModes >= 1 else {
                throw CommandFailure(message: "--probe-modes must be at least 1", status: ExitStatus.usage)
            }
            let options = DatasetReaderOptions(translationConvention: convention, geometry: geometry.options,
                                               invalidValues: invalidValuePolicy)
            var lines = ["File: \(input)"]
            var problems: [String] = [], warnings: [String] = []
            do {
                let (layout, reader) = try InputReading.reader(for: input, options: options)
                lines.append("Layout: \(layout.rawValue)")
                var readable = true
                if layout == .cxi {
                    let summary = CXIReader.inspect(path: input)
                    lines += Self.describe(summary)
                    problems += summary.problems
                    warnings += summary.warnings
                    readable = summary.isValid
                }
                if readable {
                    // Scan and memory come from the header; the full read then checks every intensity,
                    // unless the frames alone would not fit in memory (info must never be the thing that fails).
                    var headerLines: [String] = []
                    var skippedFrames: String?
                    do {
                        let loaded = try InputReading.asUsageErrors {
                            try reader.read(path: input) { header in
                                headerLines = describeScanAndMemory(of: header)
                                let frameBytes = Int64(header.frameCount) * Int64(header.frameHeight * header.frameWidth) * 4
                                if let available = MemoryEstimate.availableBytes(), frameBytes > available / 2 {
                                    skippedFrames = "intensities not checked: the frames need "
                                        + "\(MemoryEstimate.format(frameBytes)) and \(MemoryEstimate.format(available)) is available"
                                    throw FramesSkipped()
                                }
                            }
                        }
                        if layout != .cxi { lines += Self.describeFrames(of: loaded.dataset) }
                        warnings += loaded.warnings
                        lines += headerLines
                        lines.append(String(format: "Mean frame intensity: %.4g photons", loaded.dataset.meanFrameIntensity()))
                    } catch is FramesSkipped {
                        lines += headerLines
                        warnings.append(skippedFrames ?? "intensities not checked")
                    }
                }
            } catch let error as CommandFailure {
                throw error
            } catch {
                problems.append(oneLine("\(error)"))
            }
            for warning in warnings { lines.append("Warning: \(warning)") }
            for problem in problems { lines.append("Problem: \(problem)") }
            lines.append(problems.isEmpty ? "Status: ready to reconstruct" : "Status: \(problems.count) problem(s) found")
            print(lines.joined(separator: "\n"))
            if !problems.isEmpty { throw ExitCode(ExitStatus.inputOutput) }
        }
    }

    /// What `CXIReader.inspect` found, before the frames are read.
    static func describe(_ summary: CXISummary) -> [String] {
        var lines: [String] = []
        if let path = summary.dataPath, let count = summary.frameCount, let shape = summary.frameShape {
            lines.append("Frames: \(count) of \(shape.map(String.init).joined(separator: "×")) (\(summary.dataType ?? "?")) at \(path)")
        }
        if let layout = summary.translationLayout { lines.append("Translation layout: \(layout)") }
        if let geometry = summary.geometry { lines += describe(geometry) }
        if let good = summary.goodPixelCount { lines.append("Good detector pixels: \(good)") }
        lines.append("Dark frame: \(summary.hasDark ? "yes" : "no"); monitor: \(summary.hasMonitor ? "yes" : "no")")
        return lines
    }

    /// Frames and geometry of a data set read from a layout without an `inspect` step.
    static func describeFrames(of dataset: DiffractionDataset) -> [String] {
        ["Frames: \(dataset.frameCount) of \(dataset.frameHeight)×\(dataset.frameWidth)"]
            + describe(dataset.geometry) + ["Good detector pixels: \(dataset.goodPixelCount)"]
    }

    static func describe(_ g: ExperimentGeometry) -> [String] {
        let pixel = g.objectPixelSize
        return [String(format: "Energy: %.4g keV (λ = %.4g nm); distance %.4g m; detector pixel %.4g × %.4g µm",
                       g.energy / PhysicalConstants.electronvolt / 1000, g.wavelength * 1e9, g.distance,
                       g.detectorPixelSizeY * 1e6, g.detectorPixelSizeX * 1e6),
                String(format: "Object pixel: %.3f × %.3f nm", pixel.y * 1e9, pixel.x * 1e9)]
    }

    /// Scan, object array and memory estimates, from what a reader knows before the frames.
    func describeScanAndMemory(of header: DatasetHeader) -> [String] {
        var lines: [String] = []
        let placement = ObjectPlacement(positions: header.positions, pixelSize: header.geometry.objectPixelSize,
                                        frameHeight: header.frameHeight, frameWidth: header.frameWidth)
        let step = header.positions.typicalStep()
        lines.append(String(format: "Scan: %d positions, typical step %.3f µm", header.positions.count, step * 1e6))
        lines.append("Object array: \(placement.objectHeight)×\(placement.objectWidth) pixels")
        let workers = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        for (label, dm, ml) in [("ePIE", false, false), ("DM", true, false), ("ML", false, true)] {
            let estimate = MemoryEstimate(frameCount: header.frameCount, frameHeight: header.frameHeight,
                                          frameWidth: header.frameWidth, modes: probeModes,
                                          objectHeight: placement.objectHeight, objectWidth: placement.objectWidth,
                                          threads: workers, storesExitWaves: dm, likelihood: ml)
            lines.append("Memory (\(label), \(probeModes) mode(s), \(workers) threads): \(estimate)")
        }
        if let available = MemoryEstimate.availableBytes() {
            lines.append("Available memory: \(MemoryEstimate.format(available))")
        }
        if devices { lines += describeDeviceMemory(header, placement: placement) }
        return lines
    }

    /// What `reconstruct --device` checks before reading the frames, for every OpenCL device: the device
    /// memory a plan without ML and one with ML need, against what the device has.
    private func describeDeviceMemory(_ header: DatasetHeader, placement: ObjectPlacement) -> [String] {
        let shape = FrameShape(height: header.frameHeight, width: header.frameWidth, modes: probeModes)
        return OpenCLDevice.all().map { device in
            let objectPixels = placement.objectHeight * placement.objectWidth
            let needs = [false, true].map { likelihood in
                let plan = OpenCLBackend.memoryPlan(on: device, frames: header.frameCount, shape: shape,
                                                    objectPixels: objectPixels, likelihood: likelihood)
                return MemoryEstimate.format(Int64(plan.needed)) + (plan.problem == nil ? "" : " (does not fit)")
            }
            return "Device memory on OpenCL [\(device.index)] \(device.name) (\(probeModes) mode(s)): \(needs[0]), "
                + "plans with ML \(needs[1]), of \(MemoryEstimate.format(Int64(device.globalMemory)))"
        }
    }
}

/// Stops `info`'s read after the header when the frames would not fit in memory.
private struct FramesSkipped: Error {}
