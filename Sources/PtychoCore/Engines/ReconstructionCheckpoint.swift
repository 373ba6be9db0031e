/// Where a run stands in its engine plan and what it carries into the next iteration. Together with the
/// model (object, probe, positions) this is everything a resumed run needs to continue bit-for-bit.
///
/// Invariant: `iterationsDoneInStage` ≤ the stage's iteration count, and `history.count` equals the
/// iterations of the earlier stages plus `iterationsDoneInStage`.
public struct ReconstructionCheckpoint {
    /// Index of the stage in the plan that was running.
    public var stage: Int
    /// Iterations of that stage already done (it may have finished them all).
    public var iterationsDoneInStage: Int
    /// The plan-wide random source as it stands after the last iteration.
    public var random: RandomSource
    /// The running engine's carried state (`ReconstructionEngine.saveState`), arrays by reference.
    public var engineState: EngineState
    public var history: [IterationRecord]
    /// The model's refined incoherent background (internal fft-shifted layout), when it has one.
    public var background: RealArray?

    public init(stage: Int, iterationsDoneInStage: Int, random: RandomSource, engineState: EngineState,
                history: [IterationRecord], background: RealArray? = nil) {
        self.background = background
        self.stage = stage
        self.iterationsDoneInStage = iterationsDoneInStage
        self.random = random
        self.engineState = engineState
        self.history = history
    }

    /// Checks that this checkpoint fits `plan` (the one it was taken from).
    public func validate(against plan: EnginePlan) throws {
        guard stage >= 0, stage < plan.stages.count,
              iterationsDoneInStage >= 0, iterationsDoneInStage <= plan.stages[stage].iterations else {
            throw CheckpointError.planMismatch("stage \(stage + 1), \(iterationsDoneInStage) iterations done, "
                                               + "does not fit the plan \(plan)")
        }
        let expected = plan.stages[..<stage].reduce(0) { $0 + $1.iterations } + iterationsDoneInStage
        guard history.count == expected else {
            throw CheckpointError.planMismatch("\(history.count) iterations of history, expected \(expected)")
        }
    }
}

/// How a run saves checkpoints: every `interval` plan-wide iterations, and once more if it is stopped
/// early. `save` runs synchronously between iterations; the arrays it receives are live, so it must
/// finish with them before returning.
public struct CheckpointPolicy {
    public var interval: Int
    public var save: (ReconstructionCheckpoint) -> Void
    public init(every interval: Int, save: @escaping (ReconstructionCheckpoint) -> Void) {
        precondition(interval > 0, "checkpoint interval must be positive")
        self.interval = interval
        self.save = save
    }
}

public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case planMismatch(String)
    public var description: String {
        switch self {
        case .planMismatch(let reason): return "checkpoint does not match its engine plan: \(reason)"
        }
    }
}
