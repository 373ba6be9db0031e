/// The order in which the PIE family (ePIE, rPIE, mPIE) visits the positions.
///
/// Each iteration shuffles the previous iteration's order in place (a Fisher–Yates shuffle driven by the
/// plan-wide random source), so the order is state that persists across iterations: a resumed run
/// must put it back, together with the random source, to visit the frames exactly as the uninterrupted
/// run would. Invariant: after `start`, `positions` is a permutation of `0..<frameCount`.
public struct VisitingOrder {
    public private(set) var positions: [Int] = []

    /// The name under which the order is saved in an `EngineState`.
    public static let stateName = "visiting_order"

    public init() {}

    /// The identity order, at the start of a stage.
    public mutating func start(frameCount: Int) {
        positions = Array(0..<frameCount)
    }

    /// Shuffles the order for the next iteration and returns it.
    public mutating func next(using random: inout RandomSource) -> [Int] {
        positions.shuffle(using: &random)
        return positions
    }

    public func save(into state: inout EngineState) {
        state.integers[Self.stateName] = positions
    }

    /// Puts back a saved order; refuses one that is not a permutation of the current frames.
    public mutating func restore(from state: EngineState) throws {
        let saved = try state.integers(Self.stateName)
        guard saved.count == positions.count else {
            throw EngineStateError.wrongShape(Self.stateName, expected: [positions.count], found: [saved.count])
        }
        guard Set(saved) == Set(0..<positions.count) else { throw VisitingOrderError.notAPermutation }
        positions = saved
    }
}

public enum VisitingOrderError: Error, CustomStringConvertible, Equatable {
    case notAPermutation
    public var description: String {
        "engine state '\(VisitingOrder.stateName)' is not a permutation of the frames"
    }
}
