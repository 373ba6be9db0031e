import PtychoCore
import XCTest

/// `LineSearchStepControl` alone, on objectives chosen by hand (L ≈ −10⁶, so the rounding tolerance is ~1).
final class LineSearchStepControlTests: XCTestCase {
    func testStepIsTheModelsMinimiserAndFollowsTheSlopeUnderNegativeCurvature() {
        var control = LineSearchStepControl()
        XCTAssertEqual(control.step(from: -1e6, first: -4, second: 2), 2)
        XCTAssertEqual(control.step(from: -1e6, first: -4, second: -2), 2)
        XCTAssertEqual(control.step(from: -1e6, first: 4, second: 2), -2)
        XCTAssertNil(control.step(from: -1e6, first: -4, second: 0))
        XCTAssertNil(control.step(from: -1e6, first: .nan, second: 2))
        XCTAssertNil(control.stepBack(objective: 0), "no step pends after a refused one")
    }

    func testAStepThatLowersTheObjectiveStands() {
        var control = LineSearchStepControl()
        _ = control.step(from: -1e6, first: -4, second: 2)
        XCTAssertNil(control.stepBack(objective: -1e6 - 3))
        XCTAssertEqual(control.fraction, 1)
        XCTAssertNil(control.stepBack(objective: 0), "the check happens once")
    }

    func testAnOvershootIsHalvedBackUntilTheObjectiveNoLongerRises() {
        var control = LineSearchStepControl()
        _ = control.step(from: -1e6, first: -4, second: 2)   // γ = 2
        XCTAssertEqual(control.stepBack(objective: -1e6 + 100), 1)   // now at γ = 1
        XCTAssertEqual(control.stepBack(objective: -1e6 + 10), 0.5)  // at γ = 0.5
        XCTAssertNil(control.stepBack(objective: -1e6 - 1))
        XCTAssertEqual(control.fraction, 0.25)
        // Later steps take a quarter of the model's; one that does what the model says doubles it.
        XCTAssertEqual(control.step(from: -1e6 - 1, first: -4, second: 2), 0.5)
        XCTAssertNil(control.stepBack(objective: -1e6 - 1 - 1.75))   // predicted: 0.5·(−4) + ½·0.25·2 = −1.75
        XCTAssertEqual(control.fraction, 0.5)
        // A decrease well short of the prediction keeps the fraction.
        _ = control.step(from: -2e6, first: -4, second: 2)           // γ = 1, predicted −3
        XCTAssertNil(control.stepBack(objective: -2e6 - 1))
        XCTAssertEqual(control.fraction, 0.5)
    }

    func testAStepThatStillOvershootsAfterEveryHalvingIsUndone() {
        var control = LineSearchStepControl()
        _ = control.step(from: -1e6, first: -4, second: 2)   // γ = 2
        var position = 2.0
        while let back = control.stepBack(objective: 0) { position -= back }
        XCTAssertEqual(position, 0, "back where the step started")
        XCTAssertEqual(control.fraction, 1 / 32)   // halved at each of the 4 halvings and at the undo
    }

    func testARiseWithinRoundingIsNotAnOvershoot() {
        var control = LineSearchStepControl()
        _ = control.step(from: -1e6, first: -4, second: 2)
        XCTAssertNil(control.stepBack(objective: -1e6 + 0.5))
    }

    func testSavedNumbersRestoreThePendingStep() throws {
        var control = LineSearchStepControl()
        _ = control.step(from: -1e6, first: -4, second: 2)
        _ = control.stepBack(objective: 0)
        var restored = try XCTUnwrap(LineSearchStepControl(saved: control.saved))
        XCTAssertEqual(restored.fraction, control.fraction)
        XCTAssertEqual(restored.stepBack(objective: 0), control.stepBack(objective: 0))
        XCTAssertNil(LineSearchStepControl(saved: [2, 0, 0, 0, 0]), "a fraction above 1 is not a control")
        XCTAssertNil(LineSearchStepControl(saved: [1, 0]))
    }
}
