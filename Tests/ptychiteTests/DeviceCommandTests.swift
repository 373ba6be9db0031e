import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// `reconstruct --device`: every engine and model feature on an OpenCL device (PoCL in CI), and the
/// one-line refusals of what a named device cannot do.
final class DeviceCommandTests: XCTestCase {
    private func simulate(_ directory: TemporaryDirectory) throws -> String {
        let input = directory.file("scan.cxi")
        assertSucceeded(try PtychiteProcess.run(["simulate", input, "--truth", directory.file("truth.h5"),
                                                 "--frames", "40", "--frame-size", "64", "--background", "1"]))
        return input
    }

    /// A plan with every engine kind, position refinement and the background runs on the device and
    /// writes what the CPU path writes: refined positions that moved, the background, the history, the
    /// device in the provenance.
    func testEveryFeatureRunsOnAnOpenCLDevice() throws {
        let directory = try TemporaryDirectory()
        let input = try simulate(directory), result = directory.file("result.h5")
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", result, "--device", "opencl",
                                               "--engine", "DM:4,RAAR:2,ePIE:2,rPIE:1,mPIE:1,ML:3",
                                               "--probe-modes", "2", "--background", "--refine-positions", "3",
                                               "--probe-diameter-um", "3", "--progress", "none"])
        assertSucceeded(outcome)
        XCTAssertTrue(outcome.stderr.contains("on opencl: "), outcome.summary)
        let recorded = try ResultReader().read(path: result)
        XCTAssertTrue(recorded.provenance.device.hasPrefix("opencl: "), recorded.provenance.device)
        XCTAssertEqual(recorded.history.map(\.engine),
                       ["DM", "DM", "DM", "DM", "RAAR", "RAAR", "ePIE", "ePIE", "rPIE", "mPIE", "ML", "ML", "ML"])
        XCTAssertTrue(recorded.history.allSatisfy { $0.fourierError.isFinite && $0.poissonNLL.isFinite })
        XCTAssertNotEqual(recorded.refinedPositions, recorded.initialPositions, "positions were not refined")
        let background = try XCTUnwrap(recorded.background)
        XCTAssertTrue(background.floats().allSatisfy { $0 >= 0 && $0.isFinite })
        XCTAssertGreaterThan(background.floats().max() ?? 0, 0)
    }

    /// A named device that cannot run the plan, or that does not exist, is a usage error in one line; no
    /// output is written.
    func testANamedDeviceThatCannotRunThePlanIsRefused() throws {
        let directory = try TemporaryDirectory()
        let input = try simulate(directory), result = directory.file("result.h5")
        let before = try directory.contents()
        assertOneLineFailure(try PtychiteProcess.run(["reconstruct", input, "-o", result, "--device", "opencl",
                                                      "--probe-modes", "17", "--engine", "DM:2", "--progress", "none"]),
                             status: ExpectedExit.usage, mentions: ["--device opencl", "at most 16 probe modes"])
        assertOneLineFailure(try PtychiteProcess.run(["reconstruct", input, "-o", result, "--device", "no-such-device-xyz",
                                                      "--engine", "DM:2", "--progress", "none"]),
                             status: ExpectedExit.usage, mentions: ["no-such-device-xyz"])
        assertDirectoryHoldsOnly(directory, before)
    }
}
