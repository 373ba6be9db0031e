import Foundation

/// Runs an engine plan on a model and the measured data, one stage after another, recording the
/// history and reporting every iteration.
///
/// The backend (FFT plans, scratch, overlap sums) is made once when the reconstruction is made;
/// DM's exit waves are allocated when a DM stage starts and freed when it ends.
public final class Reconstruction {
    public let model: ReconstructionModel
    public let data: MeasuredData
    public let backend: CPUBackend
    public let configuration: ReconstructionConfiguration
    public private(set) var history: [IterationRecord] = []
    private var random: RandomSource

    public init(model: ReconstructionModel, data: MeasuredData, configuration: ReconstructionConfiguration,
                threads: Int, planningEffort: FFTPlanningEffort = .measure) {
        self.model = model
        self.data = data
        self.configuration = configuration
        backend = CPUBackend(model: model, data: data, threads: threads, planningEffort: planningEffort)
        random = RandomSource(seed: configuration.seed)
    }

    /// Runs `plan`. `report` sees every iteration as it completes, with the plan's total iteration count;
    /// it returns `false` to stop early (cancellation), after which the model holds the last iterate.
    @discardableResult
    public func run(plan: EnginePlan, report: (IterationRecord, _ of: Int) -> Bool = { _, _ in true })
        -> [IterationRecord] {
        let clock = ContinuousClock()
        let started = clock.now
        let total = plan.totalIterations
        var iteration = history.count
        for stage in plan.stages {
            var keepGoing = true
            switch stage.engine {
            case .ePIE:
                var engine = ExtendedPIE(alpha: configuration.epieAlpha, beta: configuration.epieBeta,
                                         probeUpdateStart: configuration.probeUpdateStart)
                keepGoing = runStage(&engine, stage, &iteration, total, started, clock, report)
            case .differenceMap:
                var engine = DifferenceMap(alpha: configuration.dmAlpha,
                                           objectInertia: configuration.dmObjectInertia,
                                           probeInertia: configuration.dmProbeInertia,
                                           probeUpdateStart: configuration.probeUpdateStart,
                                           fourierRelaxation: configuration.dmFourierRelaxation)
                keepGoing = runStage(&engine, stage, &iteration, total, started, clock, report)
            // maximum likelihood
            case .maximumLikelihood:
                var engine = MaximumLikelihood(noise: configuration.mlNoiseModel,
                                               objectRegularisation: configuration.mlObjectRegularisation,
                                               probeUpdateStart: configuration.probeUpdateStart)
                keepGoing = runStage(&engine, stage, &iteration, total, started, clock, report)
            }
            if !keepGoing { break }
        }
        model.sortModesByPower()
        return history
    }

    private func runStage<Engine: ReconstructionEngine>(
        _ engine: inout Engine, _ stage: EngineStage, _ iteration: inout Int, _ total: Int,
        _ started: ContinuousClock.Instant, _ clock: ContinuousClock,
        _ report: (IterationRecord, Int) -> Bool
    ) -> Bool {
        engine.start(on: backend)
        defer { engine.finish(on: backend) }
        for _ in 0..<stage.iterations {
            iteration += 1
            let metrics = engine.iterate(on: backend, iteration: iteration, random: &random)
            let elapsed = started.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let record = IterationRecord(iteration: iteration, engine: Engine.kind.rawValue,
                                         fourierError: data.fourierError(metrics),
                                         poissonNLL: data.poissonNLL(metrics), seconds: seconds)
            history.append(record)
            if !report(record, total) { return false }
        }
        return true
    }
}
