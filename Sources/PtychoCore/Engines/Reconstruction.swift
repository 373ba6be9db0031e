import Foundation

/// Runs an engine plan on a model and the measured data, one stage after another, recording the
/// history and reporting every iteration.
///
/// The backend (FFT plans, scratch, overlap sums) is made once, before the reconstruction; DM's exit
/// waves are allocated when a DM stage starts and freed when it ends. The engines are specialised for the
/// backend's concrete type (`Backend`): the CPU backend here, or the OpenCL one from `PtychoOpenCL`.
public final class Reconstruction<Backend: ReconstructionBackend> {
    public let model: ReconstructionModel
    public let data: MeasuredData
    public let backend: Backend
    public let configuration: ReconstructionConfiguration
    public private(set) var history: [IterationRecord] = []
    private var random: RandomSource

    /// A reconstruction on `backend`, which must have been made for `model` and `data`.
    public init(model: ReconstructionModel, data: MeasuredData, configuration: ReconstructionConfiguration,
                backend: Backend) {
        self.model = model
        self.data = data
        self.configuration = configuration
        self.backend = backend
        random = RandomSource(seed: configuration.seed)
        // rPIE / mPIE / RAAR / background
        if configuration.background { backend.enableBackground() }
    }

    /// Runs `plan` from the start. `report` sees every iteration as it completes, with the plan's total
    /// iteration count; it returns `false` to stop early (cancellation), after which the model holds the
    /// last iterate. With `checkpoints`, the run saves one every `interval` iterations and when stopped.
    @discardableResult
    public func run(plan: EnginePlan, checkpoints: CheckpointPolicy? = nil,
                    report: (IterationRecord, _ of: Int) -> Bool = { _, _ in true }) -> [IterationRecord] {
        // Nothing is restored, so nothing can throw.
        (try? execute(plan: plan, resuming: nil, checkpoints: checkpoints, report: report)) ?? history
    }

    /// Continues `plan` from `checkpoint`, whose model state must already be in `model`; `random` and the
    /// running engine's state are taken from the checkpoint. Throws if the checkpoint does not fit the plan
    /// or the engine's state is incomplete.
    @discardableResult
    public func resume(plan: EnginePlan, from checkpoint: ReconstructionCheckpoint,
                       checkpoints: CheckpointPolicy? = nil,
                       report: (IterationRecord, _ of: Int) -> Bool = { _, _ in true }) throws -> [IterationRecord] {
        try checkpoint.validate(against: plan)
        return try execute(plan: plan, resuming: checkpoint, checkpoints: checkpoints, report: report)
    }

    private func execute(plan: EnginePlan, resuming checkpoint: ReconstructionCheckpoint?,
                         checkpoints: CheckpointPolicy?,
                         report: (IterationRecord, Int) -> Bool) throws -> [IterationRecord] {
        var clock = RunClock(offset: checkpoint?.history.last?.seconds ?? 0)
        if let checkpoint {
            history = checkpoint.history
            random = checkpoint.random
            if let saved = checkpoint.background {
                guard let background = backend.background else {
                    throw CheckpointError.planMismatch("the checkpoint has a background but the configuration has none")
                }
                guard saved.shape == background.values.shape else {
                    throw EngineStateError.wrongShape("background", expected: background.values.shape, found: saved.shape)
                }
                background.restore(from: saved)
            }
        }
        let total = plan.totalIterations
        for (index, stage) in plan.stages.enumerated() {
            var progress = StageProgress(index: index, stage: stage, done: 0, restoring: nil)
            if let checkpoint {
                if index < checkpoint.stage { continue }
                if index == checkpoint.stage {
                    progress.done = checkpoint.iterationsDoneInStage
                    progress.restoring = checkpoint.engineState
                }
            }
            // Each engine is a concrete type here, so its sweeps are specialised for the backend.
            func run<Engine: ReconstructionEngine>(_ engine: Engine) throws -> Bool {
                var engine = engine
                return try runStage(&engine, progress, total, &clock, checkpoints, report)
            }
            let c = configuration
            let keepGoing: Bool
            switch stage.engine {
            case .ePIE:
                keepGoing = try run(ExtendedPIE(alpha: c.epieAlpha, beta: c.epieBeta, probeUpdateStart: c.probeUpdateStart,
                                                positionRefinement: c.positionRefinement))
            case .rPIE:
                keepGoing = try run(RegularisedPIE(alpha: c.epieAlpha, beta: c.epieBeta,
                                                   objectRegularisation: c.rpieObjectAlpha,
                                                   probeRegularisation: c.rpieProbeAlpha,
                                                   probeUpdateStart: c.probeUpdateStart,
                                                   positionRefinement: c.positionRefinement))
            case .mPIE:
                keepGoing = try run(MomentumPIE(alpha: c.epieAlpha, beta: c.epieBeta,
                                                objectRegularisation: c.rpieObjectAlpha,
                                                probeRegularisation: c.rpieProbeAlpha, interval: c.mpieInterval,
                                                friction: c.mpieFriction, feedback: c.mpieFeedback,
                                                probeUpdateStart: c.probeUpdateStart,
                                                positionRefinement: c.positionRefinement))
            case .differenceMap:
                keepGoing = try run(DifferenceMap(alpha: c.dmAlpha, settings: c.projectionSettings))
            case .relaxedAveragedAlternatingReflections:
                keepGoing = try run(RelaxedAveragedAlternatingReflections(beta: c.raarBeta, settings: c.projectionSettings))
            case .alternatingProjections:
                keepGoing = try run(AlternatingProjections(settings: c.projectionSettings))
            case .maximumLikelihood:
                keepGoing = try run(MaximumLikelihood(noise: c.mlNoiseModel, objectRegularisation: c.mlObjectRegularisation,
                                                      probeUpdateStart: c.probeUpdateStart))
            }
            if !keepGoing { break }
        }
        backend.synchroniseModel(includingObject: true)
        model.sortModesByPower()
        return history
    }

    /// Runs one stage from `progress.done` iterations on; returns `false` when `report` asked to stop.
    private func runStage<Engine: ReconstructionEngine>(
        _ engine: inout Engine, _ progress: StageProgress, _ total: Int, _ clock: inout RunClock,
        _ checkpoints: CheckpointPolicy?, _ report: (IterationRecord, Int) -> Bool
    ) throws -> Bool {
        engine.start(on: backend)
        defer { engine.finish(on: backend) }
        if let state = progress.restoring { try engine.restoreState(state, on: backend) }
        for done in progress.done..<progress.stage.iterations {
            let iteration = history.count + 1
            let metrics = engine.iterate(on: backend, iteration: iteration, random: &random)
            backend.refineBackground()
            backend.synchroniseModel(includingObject: false)
            let record = IterationRecord(iteration: iteration, engine: Engine.kind.rawValue,
                                         fourierError: data.fourierError(metrics),
                                         poissonNLL: data.poissonNLL(metrics), seconds: clock.seconds(),
                                         modePower: model.modePowerFractions())
            history.append(record)
            let keepGoing = report(record, total)
            // Saved before `finish` can release what the engine carries (DM's exit waves).
            if let checkpoints, !keepGoing || iteration % checkpoints.interval == 0 {
                backend.synchroniseModel(includingObject: true)
                checkpoints.save(ReconstructionCheckpoint(stage: progress.index, iterationsDoneInStage: done + 1,
                                                          random: random, engineState: engine.saveState(on: backend),
                                                          history: history, background: backend.background?.values))
            }
            if !keepGoing { return false }
        }
        return true
    }
}

/// A stage of the plan and how far into it a (resumed) run starts.
private struct StageProgress {
    var index: Int
    var stage: EngineStage
    var done: Int
    var restoring: EngineState?
}

/// Seconds since the run started, continuing a resumed run's history from where it stopped.
private struct RunClock {
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant
    let offset: Double
    init(offset: Double) {
        started = clock.now
        self.offset = offset
    }
    func seconds() -> Double {
        let elapsed = started.duration(to: clock.now)
        return offset + Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

extension Reconstruction where Backend == CPUBackend {
    /// A reconstruction on the CPU backend. `sequentialPlanThreaded` repeats an interrupted run's FFT plan
    /// choice (see `CPUBackend`).
    public convenience init(model: ReconstructionModel, data: MeasuredData, configuration: ReconstructionConfiguration,
                            threads: Int, planningEffort: FFTPlanningEffort = .measure,
                            sequentialPlanThreaded: Bool? = nil) {
        self.init(model: model, data: data, configuration: configuration,
                  backend: CPUBackend(model: model, data: data, threads: threads, planningEffort: planningEffort,
                                      sequentialPlanThreaded: sequentialPlanThreaded))
    }
}
