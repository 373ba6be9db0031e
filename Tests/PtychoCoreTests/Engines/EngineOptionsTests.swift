import Foundation
import PtychoCore
import XCTest

/// The configuration keys of rPIE, mPIE, RAAR and the background: defaults, round trip, and range checks
/// that name the key.
final class EngineOptionsTests: XCTestCase {
    func testDefaultsAndRoundTrip() throws {
        let defaults = ReconstructionConfiguration()
        XCTAssertEqual(defaults.rpieObjectAlpha, 0.1)
        XCTAssertEqual(defaults.rpieProbeAlpha, 1)
        XCTAssertEqual(defaults.mpieInterval, 0)
        XCTAssertEqual(defaults.mpieFriction, 0.7)
        XCTAssertEqual(defaults.mpieFeedback, 0.3)
        XCTAssertEqual(defaults.raarBeta, 0.75)
        XCTAssertFalse(defaults.background)
        let json = #"{"engine": "RAAR:5,mPIE:3", "rpie_object_alpha": 0.2, "rpie_probe_alpha": 0.5, "mpie_interval": 10, "mpie_friction": 0.5, "mpie_feedback": 0.2, "raar_beta": 0.9, "background": true}"#
        let config = try ReconstructionConfiguration.decode(json: Data(json.utf8))
        XCTAssertEqual(config.rpieObjectAlpha, 0.2)
        XCTAssertEqual(config.rpieProbeAlpha, 0.5)
        XCTAssertEqual(config.mpieInterval, 10)
        XCTAssertEqual(config.mpieFriction, 0.5)
        XCTAssertEqual(config.mpieFeedback, 0.2)
        XCTAssertEqual(config.raarBeta, 0.9)
        XCTAssertTrue(config.background)
        XCTAssertEqual(try ReconstructionConfiguration.decode(json: Data(config.encodedJSON().utf8)), config)
        XCTAssertNoThrow(try config.validated())
        for key in ["rpie_object_alpha", "rpie_probe_alpha", "mpie_interval", "mpie_friction", "mpie_feedback",
                    "raar_beta", "background"] {
            XCTAssertTrue(defaults.encodedJSON().contains("\"\(key)\""), key)
        }
    }

    func testOutOfRangeValuesNameTheKey() {
        let cases: [(String, (inout ReconstructionConfiguration) -> Void)] = [
            ("rpie_object_alpha", { $0.rpieObjectAlpha = 0 }), ("rpie_object_alpha", { $0.rpieObjectAlpha = 1.5 }),
            ("rpie_probe_alpha", { $0.rpieProbeAlpha = -1 }), ("mpie_interval", { $0.mpieInterval = -3 }),
            ("mpie_friction", { $0.mpieFriction = 1 }), ("mpie_feedback", { $0.mpieFeedback = 2 }),
            ("raar_beta", { $0.raarBeta = 0 }), ("raar_beta", { $0.raarBeta = .nan }),
        ]
        for (key, change) in cases {
            var config = ReconstructionConfiguration()
            change(&config)
            XCTAssertThrowsError(try config.validated(), key) {
                guard case .invalidValue(key, _)? = $0 as? ConfigurationError else {
                    return XCTFail("\($0) does not name \(key)")
                }
            }
        }
        XCTAssertThrowsError(try ReconstructionConfiguration.decode(json: Data(#"{"background": "yes"}"#.utf8))) {
            XCTAssertEqual($0 as? ConfigurationError, .wrongType(key: "background", expected: "Bool"))
        }
    }
}
