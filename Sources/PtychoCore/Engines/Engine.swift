/// A reconstruction algorithm written once against the backend's operators.
///
/// `iterate` performs one full iteration (every frame visited once) and returns the Fourier metrics of
/// that iteration. `iteration` is 1-based and counts across the whole engine plan, so options such as
/// "update the probe from iteration 3" mean the same whichever stage is running.
///
/// Checkpoints: `saveState` returns everything the engine carries from one iteration to the next beyond
/// the model (object, probe, positions) and the plan-wide random source — DM's exit waves, momentum
/// buffers, conjugate-gradient directions, a persistent visiting order. A run that is resumed by
/// `start`, then `restoreState` with what `saveState` returned after iteration i, must continue
/// bit-for-bit like the run that was not interrupted.
public protocol ReconstructionEngine {
    static var kind: EngineKind { get }
    mutating func start<Backend: ReconstructionBackend>(on backend: Backend)
    mutating func iterate<Backend: ReconstructionBackend>(on backend: Backend, iteration: Int,
                                                           random: inout RandomSource) -> FourierMetrics
    mutating func finish<Backend: ReconstructionBackend>(on backend: Backend)
    /// The engine's carried state after the iteration just completed (arrays by reference, not copied).
    func saveState<Backend: ReconstructionBackend>(on backend: Backend) -> EngineState
    /// Puts back what `saveState` returned; called after `start`, before the next `iterate`.
    mutating func restoreState<Backend: ReconstructionBackend>(_ state: EngineState, on backend: Backend) throws
}

extension ReconstructionEngine {
    public mutating func start<Backend: ReconstructionBackend>(on backend: Backend) {}
    public mutating func finish<Backend: ReconstructionBackend>(on backend: Backend) {}
    public func saveState<Backend: ReconstructionBackend>(on backend: Backend) -> EngineState { EngineState() }
    public mutating func restoreState<Backend: ReconstructionBackend>(_ state: EngineState,
                                                                      on backend: Backend) throws {}
}

/// Named arrays and numbers an engine carries between iterations, as written into a checkpoint.
/// Names are engine-local identifiers (`exit_waves`, `momentum_object`, …); arrays are held by
/// reference so that saving DM's exit waves does not copy them.
public struct EngineState {
    public var complexArrays: [String: ComplexArray] = [:]
    public var realArrays: [String: RealArray] = [:]
    public var integers: [String: [Int]] = [:]
    public var numbers: [String: [Double]] = [:]
    public init() {}

    /// The complex array `name`, or an error naming what is missing or of the wrong shape.
    public func complexArray(_ name: String, shape: [Int]) throws -> ComplexArray {
        guard let array = complexArrays[name] else { throw EngineStateError.missing(name) }
        guard array.shape == shape else { throw EngineStateError.wrongShape(name, expected: shape, found: array.shape) }
        return array
    }

    public func realArray(_ name: String, shape: [Int]) throws -> RealArray {
        guard let array = realArrays[name] else { throw EngineStateError.missing(name) }
        guard array.shape == shape else { throw EngineStateError.wrongShape(name, expected: shape, found: array.shape) }
        return array
    }

    public func integers(_ name: String) throws -> [Int] {
        guard let values = integers[name] else { throw EngineStateError.missing(name) }
        return values
    }

    public func numbers(_ name: String) throws -> [Double] {
        guard let values = numbers[name] else { throw EngineStateError.missing(name) }
        return values
    }
}

public enum EngineStateError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case wrongShape(String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missing(let name): return "engine state '\(name)' is missing"
        case .wrongShape(let name, let expected, let found):
            return "engine state '\(name)' has shape \(found), expected \(expected)"
        }
    }
}
