/// ePIE: Maiden & Rodenburg, Ultramicroscopy 109, 1256 (2009), with mixed-state probe modes
/// (Thibault & Menzel, Nature 494, 68 (2013)).
///
/// Each iteration visits the positions in a new random order; after each position
///   O_j ← O_j + α · Σ_k P_k* Δ_k / max_r Σ_k |P_k|²          (eq. 6)
///   P_k ← P_k + β · O_j* Δ_k / max_r |O_j|²                   (eq. 7)
/// with Δ_k = P_F(P_k O_j) − P_k O_j, P_F the modulus projection. After a sweep that updated the probe the
/// modes are orthogonalised (once per iteration: per position would cost a Gram matrix per frame); with
/// position refinement each frame's shift is estimated from the same Δ before its update, and the
/// positions move after the sweep.
public struct ExtendedPIE: ReconstructionEngine {
    public static let kind = EngineKind.ePIE
    public var alpha: Float
    public var beta: Float
    /// First (plan-wide, 1-based) iteration that updates the probe.
    public var probeUpdateStart: Int
    /// Position refinement (issue 3, item 5); `nil` = positions fixed.
    public var positionRefinement: PositionRefinement?
    private var order: [Int] = []

    public init(alpha: Float = 1, beta: Float = 1, probeUpdateStart: Int = 1,
                positionRefinement: PositionRefinement? = nil) {
        self.alpha = alpha
        self.beta = beta
        self.probeUpdateStart = probeUpdateStart
        self.positionRefinement = positionRefinement
    }

    public mutating func start<Backend: ReconstructionBackend>(on backend: Backend) {
        order = Array(0..<backend.frameCount)
    }

    /// The visiting order is reshuffled in place each iteration, so it is state.
    public func saveState<Backend: ReconstructionBackend>(on backend: Backend) -> EngineState {
        var state = EngineState()
        state.integers["visiting_order"] = order
        return state
    }

    public mutating func restoreState<Backend: ReconstructionBackend>(_ state: EngineState,
                                                                      on backend: Backend) throws {
        let saved = try state.integers("visiting_order")
        guard saved.sorted() == Array(0..<backend.frameCount) else {
            throw EngineStateError.wrongShape("visiting_order", expected: [backend.frameCount], found: [saved.count])
        }
        order = saved
    }

    public mutating func iterate<Backend: ReconstructionBackend>(on backend: Backend, iteration: Int,
                                                                  random: inout RandomSource) -> FourierMetrics {
        order.shuffle(using: &random)
        let alpha = alpha, beta = beta, updateProbe = iteration >= probeUpdateStart
        let refinePositions = positionRefinement?.isActive(at: iteration) ?? false
        let metrics = backend.sweep(.sequential(order)) { operators, frames in
            operators.combineExitWaves(frames, weight: 1, fromStoredExitWaves: false)   // ψ = P·O_j
            operators.propagateForward(frames)
            operators.projectModulus(frames, relaxation: 0)
            operators.propagateBackward(frames)                                         // ψ' = P_F ψ
            if refinePositions { operators.estimatePositionShift(frames, fromStoredExitWaves: false) }
            operators.pieUpdate(frames, alpha: alpha, beta: beta, updateProbe: updateProbe)
        }
        if updateProbe { backend.orthogonaliseProbeModes() }   // once per sweep, not per position
        if refinePositions { backend.refinePositions(stepLimit: positionRefinement!.stepLimit) }
        return metrics
    }
}
