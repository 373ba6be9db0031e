import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// Small inputs for the binary. Sizes are chosen so that every reconstruction in this target takes a
/// fraction of a second in release mode.
enum CLIFixtures {
    /// Options that keep a reconstruction of `simulate(…)`'s data short: a few iterations of each engine,
    /// and a given initial beam diameter so that the automatic probe sizing (several trial runs) is skipped.
    static let quickPlan = ["--engine", "DM:5,ePIE:2", "--probe-diameter-um", "3"]
    static let quickPlanIterations = 7

    /// Runs `ptychite simulate` (60 frames of 64×64 by default), returning the CXI path; the truth file is
    /// `<name>_truth.h5` beside it.
    @discardableResult
    static func simulate(in directory: TemporaryDirectory, name: String = "sample.cxi", frames: Int = 60,
                         frameSize: Int = 64, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = directory.file(name)
        let truth = OutputNames.truth(for: path)
        let outcome = try PtychiteProcess.run(["simulate", path, "--truth", truth, "--frames", "\(frames)",
                                               "--frame-size", "\(frameSize)"])
        assertSucceeded(outcome, file: file, line: line)
        return path
    }

    /// A small, valid CXI written in-process (12 frames of 32×32 simulated with Poisson noise), optionally
    /// changed by `prepare` before it is written. The bad-input tests break exactly one thing in it.
    @discardableResult
    static func writeSmallCXI(_ path: String, prepare: (DiffractionDataset) -> Void = { _ in }) throws -> String {
        try CXIWriter().write(smallDataset(prepare: prepare), to: path)
        return path
    }

    static func smallDataset(prepare: (DiffractionDataset) -> Void = { _ in }) -> DiffractionDataset {
        let parameters = PtychographySimulation.Parameters(frameSize: 32, positionCount: 12)
        let dataset = PtychographySimulation.run(parameters).dataset
        prepare(dataset)
        return dataset
    }

    /// The small data set with its frames removed: a well-formed file that holds zero frames.
    static func writeZeroFrameCXI(_ path: String) throws {
        let valid = smallDataset()
        let empty = DiffractionDataset(geometry: valid.geometry, positions: ScanPositions(y: [], x: []),
                                       intensities: RealArray(shape: [0, valid.frameHeight, valid.frameWidth]),
                                       mask: valid.mask, source: "zero-frame fixture")
        try CXIWriter().write(empty, to: path)
    }

    /// Opens `path` for writing and lets `change` break or extend it.
    static func modify(_ path: String, _ change: (HDF5File) throws -> Void) throws {
        try HDF5Edits.modify(path, change)
    }

    /// Replaces the dataset at `objectPath` with `values` of `shape`.
    static func replace(_ path: String, _ objectPath: String, with values: [Double], shape: [Int],
                        as type: HDF5StorageType = .float64) throws {
        try HDF5Edits.replace(path, objectPath, with: values, shape: shape, as: type)
    }
}

/// Names that `ptychite` derives from a file name.
enum OutputNames {
    /// `dir/name.cxi` → `dir/name_truth.h5` (what simulate writes by default).
    static func truth(for cxiPath: String) -> String {
        (cxiPath as NSString).deletingPathExtension + "_truth.h5"
    }

    /// The four previews beside `dir/run.h5`: `dir/run_object_phase.png`, ….
    static func previews(for resultPath: String) -> [String] {
        PreviewWriter.suffixes.map { (resultPath as NSString).deletingPathExtension + $0 }
    }

    /// `.<name>.tmp-<pid>`, what the atomic writers leave only when something went wrong.
    static func isTemporary(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".tmp-") }
}
