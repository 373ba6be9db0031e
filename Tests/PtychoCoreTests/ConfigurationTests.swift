import Foundation
import PtychoCore
import XCTest

final class ConfigurationTests: XCTestCase {
    func testEnginePlanParsesStagesCaseInsensitively() throws {
        let plan = try EnginePlan(parsing: "dm:200, EPIE:50")
        XCTAssertEqual(plan.stages, [EngineStage(engine: .differenceMap, iterations: 200),
                                     EngineStage(engine: .ePIE, iterations: 50)])
        XCTAssertEqual(plan.totalIterations, 250)
        XCTAssertEqual(plan.description, "DM:200,ePIE:50")
        XCTAssertTrue(plan.usesExitWaves)
    }

    func testEnginePlanRejectsBadStages() {
        XCTAssertThrowsError(try EnginePlan(parsing: "")) { XCTAssertEqual($0 as? EnginePlanError, .empty) }
        XCTAssertThrowsError(try EnginePlan(parsing: "DM")) { XCTAssertEqual($0 as? EnginePlanError, .malformed("DM")) }
        XCTAssertThrowsError(try EnginePlan(parsing: "XYZ:3")) { XCTAssertEqual($0 as? EnginePlanError, .unknownEngine("XYZ")) }
        XCTAssertThrowsError(try EnginePlan(parsing: "DM:0")) { XCTAssertEqual($0 as? EnginePlanError, .badIterations("DM:0")) }
    }

    func testConfigurationAppliesDefaultsAndRoundTrips() throws {
        let config = try ReconstructionConfiguration.decode(json: Data(#"{"engine":"ePIE:5","probe_modes":3}"#.utf8))
        XCTAssertEqual(config.engine, "ePIE:5")
        XCTAssertEqual(config.probeModes, 3)
        XCTAssertEqual(config.threads, 0)
        let again = try ReconstructionConfiguration.decode(json: Data(config.encodedJSON().utf8))
        XCTAssertEqual(again, config)
        XCTAssertTrue(config.encodedJSON().contains("\"probe_update_start\""))
    }

    func testGeometryKeysDecodeRoundTripAndMustBePositive() throws {
        let json = #"{"energy": 1.2817e-15, "distance": 5.0, "detector_pixel_size": 7.5e-5}"#
        let config = try ReconstructionConfiguration.decode(json: Data(json.utf8))
        XCTAssertEqual(config.energy, 1.2817e-15)
        XCTAssertEqual(config.distance, 5)
        XCTAssertEqual(config.detectorPixelSize, 7.5e-5)
        XCTAssertEqual(try ReconstructionConfiguration.decode(json: Data(config.encodedJSON().utf8)), config)
        XCTAssertNoThrow(try config.validated())
        XCTAssertNil(ReconstructionConfiguration().energy, "absent unless given")
        for (key, path) in [("energy", \ReconstructionConfiguration.energy), ("distance", \.distance),
                            ("detector_pixel_size", \.detectorPixelSize)] {
            var bad = config
            bad[keyPath: path] = -1
            XCTAssertThrowsError(try bad.validated(), key) {
                guard case .invalidValue(key, _)? = $0 as? ConfigurationError else {
                    return XCTFail("\($0) does not name \(key)")
                }
            }
        }
        XCTAssertThrowsError(try ReconstructionConfiguration.decode(json: Data(#"{"distance":"5 m"}"#.utf8))) {
            XCTAssertEqual($0 as? ConfigurationError, .wrongType(key: "distance", expected: "Double"))
        }
    }

    func testConfigurationNamesUnknownKeysAndWrongTypes() {
        XCTAssertThrowsError(try ReconstructionConfiguration.decode(json: Data(#"{"engnie":"DM:3"}"#.utf8))) {
            XCTAssertEqual($0 as? ConfigurationError, .unknownKey("engnie"))
        }
        XCTAssertThrowsError(try ReconstructionConfiguration.decode(json: Data(#"{"probe_modes":"three"}"#.utf8))) {
            XCTAssertEqual($0 as? ConfigurationError, .wrongType(key: "probe_modes", expected: "Int"))
        }
        XCTAssertThrowsError(try ReconstructionConfiguration.decode(json: Data("[1]".utf8)))
    }

    func testValidationRejectsOutOfRangeValues() {
        var config = ReconstructionConfiguration()
        config.probeModes = 0
        XCTAssertThrowsError(try config.validated())
        config = ReconstructionConfiguration()
        config.engine = "DM:-3"
        XCTAssertThrowsError(try config.validated()) { XCTAssertTrue("\($0)".contains("'engine'")) }
        config = ReconstructionConfiguration()
        XCTAssertNoThrow(try config.validated())
    }

    func testMemoryEstimateCountsExitWavesOnlyForDM() {
        let dm = MemoryEstimate(frameCount: 1000, frameHeight: 128, frameWidth: 128, modes: 2, objectHeight: 500,
                                objectWidth: 500, threads: 2, storesExitWaves: true)
        let epie = MemoryEstimate(frameCount: 1000, frameHeight: 128, frameWidth: 128, modes: 2, objectHeight: 500,
                                  objectWidth: 500, threads: 2, storesExitWaves: false)
        XCTAssertEqual(dm.exitWaveBytes, 1000 * 2 * 128 * 128 * 8)
        XCTAssertEqual(epie.exitWaveBytes, 0)
        XCTAssertEqual(dm.dataBytes, epie.dataBytes)
        XCTAssertGreaterThan(dm.totalBytes, epie.totalBytes)
    }
}
