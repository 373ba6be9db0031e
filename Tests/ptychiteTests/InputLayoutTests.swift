import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// Inputs in the other layouts, as a user runs them: `info` names the detected layout, `reconstruct` reads a
/// PtychoShelves file given its geometry on the command line, and the geometry flags are refused where the
/// file records its own geometry or missing where it records none (exit 2, one line naming the flag).
final class InputLayoutTests: XCTestCase {
    /// The small simulated data set in the PtychoShelves layout, with the flags that give its geometry.
    private func writePtychoShelves(_ path: String) throws -> [String] {
        let dataset = CLIFixtures.smallDataset()
        try PtychoShelvesWriter().write(dataset, to: path)
        let geometry = dataset.geometry
        XCTAssertEqual(geometry.detectorPixelSizeX, geometry.detectorPixelSizeY, "the layout stores square pixels")
        return ["--energy-kev", "\(geometry.energy / PhysicalConstants.electronvolt / 1000)",
                "--distance-m", "\(geometry.distance)", "--detector-pixel-um", "\(geometry.detectorPixelSizeX * 1e6)"]
    }

    func testReconstructsAPtychoShelvesFile() throws {
        let directory = try TemporaryDirectory()
        let input = directory.file("S00001_data_32x32.h5")
        let geometry = try writePtychoShelves(input)
        let result = directory.file("run.h5")
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", result, "--progress", "none",
                                               "--engine", "DM:3", "--probe-diameter-um", "3"] + geometry)
        assertSucceeded(outcome)
        XCTAssertTrue(outcome.stderr.contains("(PtychoShelves)"), outcome.summary)
        let read = try ResultReader().read(path: result)
        XCTAssertEqual(read.history.count, 3)
        XCTAssertTrue(read.configurationJSON.contains("\"detector_pixel_size\""), read.configurationJSON)
    }

    func testInfoNamesEachLayout() throws {
        let directory = try TemporaryDirectory()
        let shelves = directory.file("S00001_data_32x32.h5")
        let geometry = try writePtychoShelves(shelves)
        let ptyLab = directory.file("ptylab.hdf5")
        try PtyLabWriter().write(CLIFixtures.smallDataset(), to: ptyLab)
        let cxi = try CLIFixtures.writeSmallCXI(directory.file("small.cxi"))
        for (arguments, layout) in [([shelves] + geometry, "PtychoShelves"), ([ptyLab], "PtyLab"), ([cxi], "CXI")] {
            let info = try PtychiteProcess.run(["info"] + arguments)
            assertSucceeded(info)
            for fact in ["Layout: \(layout)", "Frames: 12 of 32×32", "Object pixel:", "Status: ready to reconstruct"] {
                XCTAssertTrue(info.stdout.contains(fact), "info does not say \"\(fact)\": \(info.summary)")
            }
        }
    }

    func testPtychoShelvesWithoutItsGeometryIsAUsageError() throws {
        let directory = try TemporaryDirectory()
        let input = directory.file("S00001_data_32x32.h5")
        let geometry = try writePtychoShelves(input)
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("run.h5")]
                                              + CLIFixtures.quickPlan + geometry.prefix(4))
        assertOneLineFailure(outcome, status: ExpectedExit.usage,
                             mentions: [input, PtychoShelvesLayout.group, "detector pixel size", "--detector-pixel-um",
                                        "\"detector_pixel_size\""])
        assertDirectoryHoldsOnly(directory, ["S00001_data_32x32.h5"])
    }

    func testGeometryFlagsAreRefusedForCXI() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("small.cxi"))
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("run.h5"),
                                               "--distance-m", "3"] + CLIFixtures.quickPlan)
        assertOneLineFailure(outcome, status: ExpectedExit.usage,
                             mentions: [input, "--distance-m applies only to PtychoShelves input", "CXI"])
        assertDirectoryHoldsOnly(directory, ["small.cxi"])
    }

    func testUnknownLayoutIsAnInputError() throws {
        let directory = try TemporaryDirectory()
        let input = directory.file("other.h5")
        let file = try HDF5File.create(input)
        try file.write([1.0], to: "/frames", as: .float32)
        try file.close()
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("run.h5")] + CLIFixtures.quickPlan)
        assertOneLineFailure(outcome, status: ExpectedExit.inputOutput,
                             mentions: [input, "not a layout Ptychite reads", "/measurement/n0 (PtychoShelves)", "/ptychogram"])
    }
}
