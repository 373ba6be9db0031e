/// ePIE: Maiden & Rodenburg, Ultramicroscopy 109, 1256 (2009), with mixed-state probe modes
/// (Thibault & Menzel, Nature 494, 68 (2013)).
///
/// Each iteration visits the positions in a new random order; after each position
///   O_j ← O_j + α · Σ_k P_k* Δ_k / max_r Σ_k |P_k|²          (eq. 6)
///   P_k ← P_k + β · O_j* Δ_k / max_r |O_j|²                   (eq. 7)
/// with Δ_k = P_F(P_k O_j) − P_k O_j, P_F the modulus projection. The visiting order is reshuffled from
/// the previous iteration's, so it is the engine's checkpoint state (`VisitingOrder`). The sweep, with
/// mode orthogonalisation and position refinement, is the PIE family's (`PIESweep`).
public struct ExtendedPIE: ReconstructionEngine {
    public static let kind = EngineKind.ePIE
    public var alpha: Float
    public var beta: Float
    /// First (plan-wide, 1-based) iteration that updates the probe.
    public var probeUpdateStart: Int
    /// Position refinement (issue 3, item 5); `nil` = positions fixed.
    public var positionRefinement: PositionRefinement?
    private var order = VisitingOrder()

    public init(alpha: Float = 1, beta: Float = 1, probeUpdateStart: Int = 1,
                positionRefinement: PositionRefinement? = nil) {
        self.alpha = alpha
        self.beta = beta
        self.probeUpdateStart = probeUpdateStart
        self.positionRefinement = positionRefinement
    }

    public mutating func start<Backend: ReconstructionBackend>(on backend: Backend) {
        order.start(frameCount: backend.frameCount)
    }

    public func saveState<Backend: ReconstructionBackend>(on backend: Backend) -> EngineState {
        var state = EngineState()
        order.save(into: &state)
        return state
    }

    public mutating func restoreState<Backend: ReconstructionBackend>(_ state: EngineState, on backend: Backend) throws {
        try order.restore(from: state)
    }

    public mutating func iterate<Backend: ReconstructionBackend>(on backend: Backend, iteration: Int,
                                                                  random: inout RandomSource) -> FourierMetrics {
        let alpha = alpha, beta = beta, updateProbe = iteration >= probeUpdateStart
        return PIESweep.run(on: backend, order: order.next(using: &random), iteration: iteration,
                            updateProbe: updateProbe, positionRefinement: positionRefinement) { operators, frames in
            operators.pieUpdate(frames, alpha: alpha, beta: beta, updateProbe: updateProbe)   // eqs. 6–7
        }
    }
}
