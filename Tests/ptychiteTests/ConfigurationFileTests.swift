import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// `--config FILE.json`: the document the job service submits. Flags override it, the result records the
/// complete configuration, and a bad document is a usage error (exit 2) that names the offending key.
final class ConfigurationFileTests: XCTestCase {
    /// The keys the job service may set (data-format.md and issue 2); the result must hold each of them.
    private static let documentedKeys = ["input", "output", "engine", "probe_modes", "threads", "seed", "translation",
                                         "probe", "probe_diameter", "progress", "max_memory", "device", "energy",
                                         "distance", "detector_pixel_size"]

    func testFlagOverridesTheConfigFileAndTheResultRecordsEveryKey() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        let result = directory.file("configured.h5")
        let config = try write(directory, "job.json", """
            {"engine": "DM:4,ePIE:1", "probe_modes": 2, "probe_diameter": 3e-6, "progress": "none", "seed": 7}
            """)

        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", result, "--config", config,
                                               "--probe-modes", "1"])
        assertSucceeded(outcome)
        XCTAssertEqual(outcome.stdout, "", "progress \"none\" from the config prints nothing on standard output")

        let recorded = try ResultReader().read(path: result)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(recorded.configurationJSON.utf8))
                                     as? [String: Any], recorded.configurationJSON)
        XCTAssertEqual(document["engine"] as? String, "DM:4,ePIE:1", "from the config file")
        XCTAssertEqual((document["probe_modes"] as? NSNumber)?.intValue, 1, "the flag overrides the config file")
        XCTAssertEqual((document["seed"] as? NSNumber)?.intValue, 7, "from the config file")
        XCTAssertEqual(document["input"] as? String, input)
        XCTAssertEqual(document["output"] as? String, result)
        // The override is not only recorded but used: one probe mode, and the config's plan length.
        XCTAssertEqual(recorded.probe.shape.first, 1)
        XCTAssertEqual(recorded.history.count, 5)

        // Every key, unset ones as null: the same key set as the complete default configuration.
        let allKeys = try Self.keys(of: ReconstructionConfiguration().encodedJSON())
        XCTAssertEqual(Set(document.keys), allKeys, recorded.configurationJSON)
        XCTAssertTrue(allKeys.isSuperset(of: Self.documentedKeys), "documented keys missing from \(allKeys.sorted())")
    }

    func testUnknownKeyIsAUsageErrorNamingTheKey() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let config = try write(directory, "job.json", #"{"engine": "DM:2", "probe_mode": 2}"#)
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"), "--config", config])
        assertOneLineFailure(outcome, status: ExpectedExit.usage, mentions: [config, "unknown key", "'probe_mode'"])
        assertDirectoryHoldsOnly(directory, ["data.cxi", "job.json"])
    }

    func testValueOfTheWrongTypeIsAUsageErrorNamingTheKey() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.writeSmallCXI(directory.file("data.cxi"))
        let config = try write(directory, "job.json", #"{"engine": "DM:2", "probe_modes": "two"}"#)
        let outcome = try PtychiteProcess.run(["reconstruct", input, "-o", directory.file("out.h5"), "--config", config])
        assertOneLineFailure(outcome, status: ExpectedExit.usage, mentions: [config, "'probe_modes'", "wrong type"])
        assertDirectoryHoldsOnly(directory, ["data.cxi", "job.json"])
    }

    private func write(_ directory: TemporaryDirectory, _ name: String, _ json: String) throws -> String {
        let path = directory.file(name)
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private static func keys(of json: String) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return Set(try XCTUnwrap(object, json).keys)
    }
}
