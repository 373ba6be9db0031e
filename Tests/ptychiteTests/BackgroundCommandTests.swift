import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// `simulate --background LEVEL` writes the true background to the truth file; `reconstruct --background`
/// (and the engines named in the plan) store the refined one in the result, in the detector layout.
final class BackgroundCommandTests: XCTestCase {
    func testSimulatedBackgroundIsRefinedAndStored() throws {
        let directory = try TemporaryDirectory()
        let input = directory.file("bg.cxi"), truthPath = directory.file("bg_truth.h5")
        assertSucceeded(try PtychiteProcess.run(["simulate", input, "--truth", truthPath, "--frames", "40",
                                                 "--frame-size", "64", "--background", "2"]))
        let truth = try TruthReader().read(path: truthPath)
        let trueBackground = try XCTUnwrap(truth.background)
        XCTAssertEqual(trueBackground.shape, [64, 64])
        XCTAssertEqual(Double(trueBackground.floats().reduce(0, +)) / 4096, 2, accuracy: 1e-3)
        // Centred: the Lorentzian peaks at [ny/2, nx/2].
        XCTAssertEqual(trueBackground.floats().max(), trueBackground.storage[32 * 64 + 32])

        let result = directory.file("bg_result.h5")
        assertSucceeded(try PtychiteProcess.run(["reconstruct", input, "-o", result, "--engine", "rPIE:3,RAAR:3",
                                                 "--background", "--probe-diameter-um", "3", "--progress", "none"]))
        let recorded = try ResultReader().read(path: result)
        let refined = try XCTUnwrap(recorded.background)
        XCTAssertEqual(refined.shape, [64, 64])
        XCTAssertTrue(refined.floats().allSatisfy { $0 >= 0 && $0.isFinite })
        XCTAssertEqual(recorded.history.map(\.engine), ["rPIE", "rPIE", "rPIE", "RAAR", "RAAR", "RAAR"])

        let plain = directory.file("plain_result.h5")
        assertSucceeded(try PtychiteProcess.run(["reconstruct", input, "-o", plain, "--engine", "mPIE:2,AP:1",
                                                 "--probe-diameter-um", "3", "--progress", "none"]))
        XCTAssertNil(try ResultReader().read(path: plain).background, "no background unless enabled")
    }
}
