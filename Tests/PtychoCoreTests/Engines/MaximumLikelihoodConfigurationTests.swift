import Foundation
import PtychoCore
import XCTest

/// The ML engine's configuration keys: defaults, round trip, and errors that name the key.
final class MaximumLikelihoodConfigurationTests: XCTestCase {
    func testDefaultsAndRoundTrip() throws {
        let defaults = ReconstructionConfiguration()
        XCTAssertEqual(defaults.mlNoiseModel, .poisson)
        XCTAssertEqual(defaults.mlObjectRegularisation, 0)
        let json = #"{"engine": "DM:3,ml:2", "ml_noise_model": "Gaussian", "ml_object_regularisation": 0.02}"#
        let configuration = try ReconstructionConfiguration.decode(json: Data(json.utf8))
        XCTAssertEqual(configuration.mlNoiseModel, .gaussian)
        XCTAssertEqual(configuration.mlObjectRegularisation, 0.02)
        XCTAssertEqual(try configuration.validated().stages.last, EngineStage(engine: .maximumLikelihood, iterations: 2))
        let again = try ReconstructionConfiguration.decode(json: Data(configuration.encodedJSON().utf8))
        XCTAssertEqual(again, configuration)
        XCTAssertTrue(configuration.encodedJSON().contains(#""ml_noise_model" : "gaussian""#))
    }

    func testInvalidValuesNameTheKey() throws {
        XCTAssertThrowsError(try ReconstructionConfiguration.decode(json: Data(#"{"ml_noise_model": "laplace"}"#.utf8))) {
            XCTAssertEqual($0 as? ConfigurationError,
                           .invalidValue(key: "ml_noise_model", reason: "must be poisson or gaussian"))
        }
        XCTAssertThrowsError(try ReconstructionConfiguration.decode(json: Data(#"{"ml_object_regularisation": "x"}"#.utf8))) {
            XCTAssertEqual($0 as? ConfigurationError, .wrongType(key: "ml_object_regularisation", expected: "Double"))
        }
        var configuration = ReconstructionConfiguration()
        configuration.mlObjectRegularisation = -1
        XCTAssertThrowsError(try configuration.validated()) {
            XCTAssertEqual(($0 as? ConfigurationError).map { "\($0)" }?.contains("ml_object_regularisation"), true)
        }
    }
}
