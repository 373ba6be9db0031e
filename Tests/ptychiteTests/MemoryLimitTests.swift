import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// The memory check runs before anything large is allocated: above `--max-memory` the run is refused
/// with exit 3 and one line that says how much it would need.
final class MemoryLimitTests: XCTestCase {
    func testMaxMemoryBelowTheEstimateExits3NamingTheNeededAmount() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"),
                                               "--max-memory", "1M", "--progress", "jsonl"] + CLIFixtures.quickPlan)
        assertOneLineFailure(outcome, status: ExpectedExit.memory, mentions: [input, "needs", "--max-memory", "1.0 MiB"])
        // The needed amount, with a unit, right after "needs".
        let message = outcome.stderrLines.first ?? ""
        XCTAssertNotNil(message.range(of: #"needs [0-9]+(\.[0-9]+)? (B|KiB|MiB|GiB|TiB)"#, options: .regularExpression),
                        message)
        XCTAssertEqual(outcome.stdout, "", "refused before the first iteration")
        assertDirectoryHoldsOnly(directory, ["data.cxi"])
    }

    /// ML keeps every frame's exit-wave gradient only when that fits: between the estimates with and
    /// without them the run goes on without them and says so; below both it is refused, naming the smaller.
    func testMLGoesWithoutKeptGradientsWhenOnlyThatFits() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let (dataset, placement) = Self.smallDatasetAndPlacement()
        func estimate(keeping: Bool) -> Int64 {
            MemoryEstimate(frameCount: dataset.frameCount, frameHeight: dataset.frameHeight,
                           frameWidth: dataset.frameWidth, modes: 1, objectHeight: placement.objectHeight,
                           objectWidth: placement.objectWidth, threads: 1, storesExitWaves: true, likelihood: true,
                           keepsExitWaveGradients: keeping).totalBytes
        }
        let lean = estimate(keeping: false), full = estimate(keeping: true)
        XCTAssertEqual(full - lean, Int64(dataset.frameCount * dataset.frameHeight * dataset.frameWidth * 8) -
                       Int64(dataset.frameHeight * dataset.frameWidth * 8), "one frame-set more, one search wave less")
        let arguments = ["reconstruct", input, "--threads", "1", "--probe-modes", "1", "--engine", "DM:3,ML:3",
                         "--probe-diameter-um", "3", "--progress", "jsonl", "--max-memory"]
        let between = try PtychiteProcess.run(arguments + ["\((lean + full) / 2)", "-o", directory.file("out.h5")])
        XCTAssertEqual(between.status, 0, between.summary)
        XCTAssertTrue(between.stderr.contains("ML transforms one more wave per frame instead"), between.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.file("out.h5")))

        let kept = try PtychiteProcess.run(arguments + ["\(full)", "-o", directory.file("kept.h5")])
        XCTAssertEqual(kept.status, 0, kept.summary)
        XCTAssertFalse(kept.stderr.contains("one more wave"), kept.stderr)

        let below = try PtychiteProcess.run(arguments + ["\(lean - 1)", "-o", directory.file("none.h5")])
        assertOneLineFailure(below, status: ExpectedExit.memory,
                             mentions: [input, "needs \(MemoryEstimate.format(lean))", "--max-memory"])
    }

    /// On an OpenCL device (PoCL in CI) the host holds the data, the model and the copies checkpoints download,
    /// not the CPU's per-frame arrays: an ML plan whose CPU estimate exceeds `--max-memory` runs there, without
    /// the CPU's note about ML's gradients, while the same limit refuses it on the CPU.
    func testDeviceRunsAreCheckedAgainstWhatTheHostHolds() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let (dataset, placement) = Self.smallDatasetAndPlacement()
        let host = MemoryEstimate.hostSideOfDeviceRun(
            frameCount: dataset.frameCount, frameHeight: dataset.frameHeight, frameWidth: dataset.frameWidth, modes: 1,
            objectHeight: placement.objectHeight, objectWidth: placement.objectWidth, storesExitWaves: false,
            likelihood: true).totalBytes
        let cpu = MemoryEstimate(frameCount: dataset.frameCount, frameHeight: dataset.frameHeight,
                                 frameWidth: dataset.frameWidth, modes: 1, objectHeight: placement.objectHeight,
                                 objectWidth: placement.objectWidth, threads: 1, storesExitWaves: false, likelihood: true,
                                 keepsExitWaveGradients: false).totalBytes
        XCTAssertLessThan(host, cpu)
        let arguments = ["reconstruct", input, "--threads", "1", "--probe-modes", "1", "--engine", "ML:3",
                         "--probe-diameter-um", "3", "--progress", "none", "--max-memory", "\((host + cpu) / 2)"]
        let device = try PtychiteProcess.run(arguments + ["--device", "opencl", "-o", directory.file("device.h5")])
        XCTAssertEqual(device.status, 0, device.summary)
        XCTAssertFalse(device.stderr.contains("one more wave"), device.stderr)
        XCTAssertTrue(try ResultReader().read(path: directory.file("device.h5")).provenance.device.hasPrefix("opencl: "))

        let onCPU = try PtychiteProcess.run(arguments + ["--device", "cpu", "-o", directory.file("cpu.h5")])
        assertOneLineFailure(onCPU, status: ExpectedExit.memory, mentions: [input, "needs", "--max-memory"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.file("cpu.h5")))
    }

    /// `CLIFixtures.smallDataset()` and the object placement a run on it makes, for computing its estimates.
    private static func smallDatasetAndPlacement() -> (DiffractionDataset, ObjectPlacement) {
        let dataset = CLIFixtures.smallDataset()
        return (dataset, ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                         frameHeight: dataset.frameHeight, frameWidth: dataset.frameWidth))
    }

    /// A file whose frames could never fit (an HDF5 dataset of 100 000 frames of 2048², declared but not
    /// written, so the file itself is small): reconstruct refuses from the header without allocating, and
    /// info still describes the file and says the intensities were not checked.
    func testFramesLargerThanMemoryAreRefusedFromTheHeader() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("huge.cxi"))
        let frames = 100_000, size = 2048
        try HDF5Edits.modify(input) { file in
            try file.removeLink("/entry_1/data_1/data")
            _ = try file.createDataset("/entry_1/data_1/data", type: .float32, shape: [frames, size, size],
                                       chunk: [1, size, size])
            try file.removeLink("/entry_1/sample_1/geometry_1/translation")
            var translation = [Double](repeating: 0, count: 3 * frames)
            for j in 0..<frames {
                translation[3 * j] = Double(j % 300) * 1e-6
                translation[3 * j + 1] = Double(j / 300) * 1e-6
            }
            try file.write(translation, to: "/entry_1/sample_1/geometry_1/translation", shape: [frames, 3], as: .float64)
            try file.removeLink("/entry_1/instrument_1/detector_1/mask")
        }
        let refused = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"), "--progress", "jsonl"]
                                              + CLIFixtures.quickPlan)
        assertOneLineFailure(refused, status: ExpectedExit.memory, mentions: [input, "needs", "available memory"])
        XCTAssertEqual(refused.stdout, "")

        // On a device, its memory is checked from the header too: an explicit device is refused by name.
        let onDevice = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"), "--progress", "jsonl",
                                                "--device", "opencl"] + CLIFixtures.quickPlan)
        assertOneLineFailure(onDevice, status: ExpectedExit.usage, mentions: ["--device opencl", "MiB of device memory"])
        XCTAssertEqual(onDevice.stdout, "")

        let info = try PtychiteProcess.run(["info", input])
        XCTAssertEqual(info.status, 0, info.summary)
        XCTAssertTrue(info.stdout.contains("Frames: 100000 of 2048×2048"), info.stdout)
        XCTAssertTrue(info.stdout.contains("Memory (DM"), info.stdout)
        XCTAssertTrue(info.stdout.contains("intensities not checked"), info.stdout)
        // With --devices, what each OpenCL device would need (PoCL: far more than it has).
        let devices = try PtychiteProcess.run(["info", "--devices", input])
        XCTAssertEqual(devices.status, 0, devices.summary)
        let deviceLine = try XCTUnwrap(devices.stdoutLines.first { $0.hasPrefix("Device memory on OpenCL [") }, devices.stdout)
        XCTAssertTrue(deviceLine.contains("(does not fit), plans with ML"), deviceLine)
    }
}
