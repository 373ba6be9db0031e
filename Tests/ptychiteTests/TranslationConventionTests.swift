import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// `--translation sample|probe`: the CXI text calls the translation the sample's (probe = −translation),
/// PyNX and others read it as the probe position. Both run, and the result records which was used.
final class TranslationConventionTests: XCTestCase {
    func testDefaultAndProbeConventionsBothRunAndAreRecorded() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory, frames: 30)
        let asSample = directory.file("sample.h5"), asProbe = directory.file("probe.h5")
        assertSucceeded(try PtychiteProcess.run(["reconstruct", input, "-o", asSample, "--progress", "none"]
                                                + CLIFixtures.quickPlan))
        assertSucceeded(try PtychiteProcess.run(["reconstruct", input, "-o", asProbe, "--progress", "none",
                                                 "--translation", "probe"] + CLIFixtures.quickPlan))

        // Where the spec puts it: the attribute of /entry_1/positions, read here with the HDF5 wrapper.
        XCTAssertEqual(try Self.recordedConvention(asSample), "sample")
        XCTAssertEqual(try Self.recordedConvention(asProbe), "probe")
        XCTAssertEqual(try ResultReader().read(path: asSample).translationConvention, .sample)
        XCTAssertEqual(try ResultReader().read(path: asProbe).translationConvention, .probe)

        // The two readings differ by the sign of every position.
        let sample = try ResultReader().read(path: asSample).initialPositions
        let probe = try ResultReader().read(path: asProbe).initialPositions
        XCTAssertEqual(sample.count, 30)
        XCTAssertEqual(probe.count, sample.count)
        for index in 0..<min(sample.count, probe.count) {
            XCTAssertEqual(probe.y[index], -sample.y[index], accuracy: 1e-15)
            XCTAssertEqual(probe.x[index], -sample.x[index], accuracy: 1e-15)
        }
    }

    private static func recordedConvention(_ path: String) throws -> String? {
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        return try file.stringAttribute(ResultLayout.translationConventionAttribute, of: ResultLayout.positions)
    }
}
