/// mPIE: Maiden, Johnson & Li, Optica 4, 736 (2017): rPIE's updates at every position (see
/// `RegularisedPIE`) plus a momentum step every T positions, for the object and (once the probe is being
/// updated) the probe. With X the object or probe, S its snapshot at the previous momentum step and v its
/// velocity (zero at the start of the stage):
///   v ← η·v + (X − S)          (the net rPIE change over the last T positions, plus decayed history)
///   X ← X + ν·v
///   S ← X
/// η is the friction (default 0.7, the paper's), ν the feedback (default 0.3): in a steady descent
/// v → g/(1 − η) for a per-T change g, so the step grows by ν/(1 − η) = 1 on top of rPIE's, doubling it;
/// where successive changes disagree (oscillation) the velocity cancels instead.
/// The step fires every T positions counted along the visiting order across iterations, as in the paper
/// (PtyLab fires it at random with probability 5 % per position instead). Default T: a quarter of the
/// positions (`interval` = 0), so the change X − S averages over updates spread across the field of view
/// while the momentum still acts several times per iteration. On the engine tests' simulation (160
/// positions, 30 iterations) T = 20, 40 and 160 all gave a Fourier error of 0.0014–0.0015 against rPIE's
/// 0.0016 (NRMSE 0.013–0.014, rPIE 0.012): the choice of T matters little there.
///
/// State: the visiting order, the four momentum arrays (`MomentumBuffers`) and the count of positions since
/// the last momentum step (`positions_since_momentum`).
public struct MomentumPIE: ReconstructionEngine {
    public static let kind = EngineKind.mPIE
    public var alpha: Float
    public var beta: Float
    public var objectRegularisation: Float
    public var probeRegularisation: Float
    /// T, positions between momentum steps; 0 = a quarter of the positions (at least 1).
    public var interval: Int
    public var friction: Float
    public var feedback: Float
    /// First (plan-wide, 1-based) iteration that updates the probe (and applies the probe's momentum).
    public var probeUpdateStart: Int
    /// Position refinement (issue 3, item 5); `nil` = positions fixed.
    public var positionRefinement: PositionRefinement?
    private var order = VisitingOrder()
    private var momentum: MomentumBuffers?
    private var positionsSinceMomentum = 0

    public static let positionCounterName = "positions_since_momentum"

    public init(alpha: Float = 1, beta: Float = 1, objectRegularisation: Float = 0.1, probeRegularisation: Float = 1,
                interval: Int = 0, friction: Float = 0.7, feedback: Float = 0.3, probeUpdateStart: Int = 1,
                positionRefinement: PositionRefinement? = nil) {
        self.positionRefinement = positionRefinement
        self.alpha = alpha
        self.beta = beta
        self.objectRegularisation = objectRegularisation
        self.probeRegularisation = probeRegularisation
        self.interval = interval
        self.friction = friction
        self.feedback = feedback
        self.probeUpdateStart = probeUpdateStart
    }

    /// T for `frameCount` positions.
    public func period(frameCount: Int) -> Int { interval > 0 ? interval : max(1, frameCount / 4) }

    public mutating func start<Backend: ReconstructionBackend>(on backend: Backend) {
        order.start(frameCount: backend.frameCount)
        momentum = backend.makeMomentumBuffers()
        positionsSinceMomentum = 0
    }

    public mutating func iterate<Backend: ReconstructionBackend>(on backend: Backend, iteration: Int,
                                                                  random: inout RandomSource) -> FourierMetrics {
        let alpha = alpha, beta = beta, updateProbe = iteration >= probeUpdateStart
        let objectRegularisation = objectRegularisation, probeRegularisation = probeRegularisation
        let friction = friction, feedback = feedback, momentum = momentum!
        let period = period(frameCount: backend.frameCount)
        var count = positionsSinceMomentum
        let metrics = PIESweep.run(on: backend, order: order.next(using: &random), iteration: iteration,
                                   updateProbe: updateProbe, positionRefinement: positionRefinement) { operators, frames in
            operators.pieUpdate(frames, alpha: alpha, beta: beta,                        // rPIE, eqs. 6–7
                                objectRegularisation: objectRegularisation,
                                probeRegularisation: probeRegularisation, updateProbe: updateProbe)
            count += frames.indices.count
            if count >= period {                                                        // every T positions
                count = 0
                backend.applyMomentum(momentum, friction: friction, feedback: feedback, includeProbe: updateProbe)
            }
        }
        positionsSinceMomentum = count
        return metrics
    }

    public mutating func finish<Backend: ReconstructionBackend>(on backend: Backend) {
        momentum = nil
    }

    public func saveState<Backend: ReconstructionBackend>(on backend: Backend) -> EngineState {
        var state = EngineState()
        order.save(into: &state)
        momentum?.save(into: &state)
        state.integers[Self.positionCounterName] = [positionsSinceMomentum]
        return state
    }

    public mutating func restoreState<Backend: ReconstructionBackend>(_ state: EngineState, on backend: Backend) throws {
        try order.restore(from: state)
        try momentum?.restore(from: state)
        let counter = try state.integers(Self.positionCounterName)
        guard counter.count == 1, counter[0] >= 0 else {
            throw EngineStateError.wrongShape(Self.positionCounterName, expected: [1], found: [counter.count])
        }
        positionsSinceMomentum = counter[0]
    }
}
