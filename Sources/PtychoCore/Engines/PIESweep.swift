/// The sweep the PIE family (ePIE, rPIE, mPIE) shares. For each position in `order`, one after another:
///   ψ = P·O_j,  ψ' = P_F ψ  (F⁻¹ of the modulus-projected far field),
/// then the engine's own object/probe update from ψ' (`update`). With position refinement active, each
/// frame's shift is estimated from Δ = ψ' − P·O_j before its update. After the sweep, if the probe was
/// updated, its modes are orthogonalised (once per sweep: per position would cost a Gram matrix per frame),
/// and refined positions move.
enum PIESweep {
    static func run<Backend: ReconstructionBackend>(
        on backend: Backend, order: [Int], iteration: Int, updateProbe: Bool,
        positionRefinement: PositionRefinement?, update: (Backend.Operators, FrameBatch) -> Void
    ) -> FourierMetrics {
        let refinePositions = positionRefinement?.isActive(at: iteration) ?? false
        let metrics = backend.sweep(.sequential(order)) { operators, frames in
            operators.combineExitWaves(frames, weight: 1, fromStoredExitWaves: false)   // ψ = P·O_j
            operators.propagateForward(frames)
            operators.projectModulus(frames, relaxation: 0)
            operators.propagateBackward(frames)                                         // ψ' = P_F ψ
            if refinePositions { operators.estimatePositionShift(frames, fromStoredExitWaves: false) }
            update(operators, frames)
        }
        if updateProbe { backend.orthogonaliseProbeModes() }
        if refinePositions { backend.refinePositions(stepLimit: positionRefinement!.stepLimit) }
        return metrics
    }
}
