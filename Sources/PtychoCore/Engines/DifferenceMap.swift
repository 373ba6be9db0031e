/// Difference map: Thibault et al., Science 321, 379 (2008); Ultramicroscopy 109, 338 (2009), with
/// mixed-state probe modes. In the general projection form (PtyPy's notation) one iteration is
///   ψ ← ψ + b·P_F((1 − c)ψ + c·P O_j) + a·P O_j − (a + b)·ψ,   DM(α): a = −α, b = 1, c = 1 + α,
/// so α = 1 is classic DM, ψ ← ψ + P_F(2 P O_j − ψ) − P O_j, followed by the overlap projection
///   O = (c_O·O + Σ_j P* ψ_j) / (c_O + Σ_j |P|²),  then  P = (c_P·P + Σ_j O_j* ψ_j) / (c_P + Σ_j |O_j|²)
/// with PyNX's small inertia terms. P_F is relaxed to the Poisson noise level by default (a power
/// bound, `fourierRelaxation`), without which DM's iterates drift on noisy data. Frames are independent within an iteration, so the sweep runs on
/// every worker, each accumulating its own overlap sums. The probe modes are orthogonalised after the
/// probe solve (the stored ψ get the same change of basis); with position refinement each frame's shift
/// is estimated from its updated ψ against P·O_j, and the positions move after the overlap projection.
///
/// Reported metrics are those of P_F's input, (1 − c)ψ + c·P O_j, as PtyPy reports DM's. With the
/// default power bound a frame within its noise is left unprojected, which resets its ψ to P·O, so the
/// input is the current estimate itself and the metrics are those of P·O. With the exact projection
/// (`fourierRelaxation` = 0) the input drifts on noisy data, so the Fourier error reported is instead
/// Σ‖ψ_F − P O_j‖² / Σ m·I, an upper bound (Parseval) of P·O's error, tight at a fixed point.
public struct DifferenceMap: ReconstructionEngine {
    public static let kind = EngineKind.differenceMap
    public var alpha: Float
    public var objectInertia: Float
    public var probeInertia: Float
    /// First (plan-wide, 1-based) iteration that updates the probe.
    public var probeUpdateStart: Int
    /// Power-bound relaxation of the modulus projection, in units of the expected Poisson noise
    /// (0 = exact projection).
    public var fourierRelaxation: Float
    /// Position refinement (issue 3, item 5); `nil` = positions fixed.
    public var positionRefinement: PositionRefinement?

    public init(alpha: Float = 1, objectInertia: Float = 0.01, probeInertia: Float = 0.001,
                probeUpdateStart: Int = 1, fourierRelaxation: Float = 2,
                positionRefinement: PositionRefinement? = nil) {
        self.positionRefinement = positionRefinement
        self.fourierRelaxation = fourierRelaxation
        self.alpha = alpha
        self.objectInertia = objectInertia
        self.probeInertia = probeInertia
        self.probeUpdateStart = probeUpdateStart
    }

    public mutating func start<Backend: ReconstructionBackend>(on backend: Backend) {
        backend.initialiseExitWaves()
    }

    public mutating func iterate<Backend: ReconstructionBackend>(on backend: Backend, iteration: Int,
                                                                  random: inout RandomSource) -> FourierMetrics {
        let a = -alpha, b: Float = 1, c = 1 + alpha, fourierRelaxation = fourierRelaxation
        let refinePositions = positionRefinement?.isActive(at: iteration) ?? false
        backend.resetOverlapSums()
        let metrics = backend.sweep(.parallel) { operators, frames in
            operators.combineExitWaves(frames, weight: c, fromStoredExitWaves: true)  // (1−c)ψ + c·P O_j
            operators.propagateForward(frames)
            operators.projectModulus(frames, relaxation: fourierRelaxation)
            operators.propagateBackward(frames)
            operators.updateExitWaves(frames, a: a, b: b)
            // Δ = ψ_new − P·O_j: where the frame's exit wave disagrees with the overlap model.
            if refinePositions { operators.estimatePositionShift(frames, fromStoredExitWaves: true) }
        }
        // The overlap projection alternates: the object from the new ψ and the current probe, then the
        // probe from the new object. Solving both from the same sums would move each towards ψ as if the
        // other stood still, overshooting the product P·O.
        backend.solveObject(inertia: objectInertia)
        if iteration >= probeUpdateStart {
            _ = backend.sweep(.parallel) { operators, frames in operators.accumulateProbeSums(frames) }
            backend.solveProbe(inertia: probeInertia)
            backend.orthogonaliseProbeModes()
        }
        // After both overlap halves: the next iteration's patches move, the exit waves stay with their frames.
        if refinePositions { backend.refinePositions(stepLimit: positionRefinement!.stepLimit) }
        // With the power bound a converged frame's ψ is reset to P·O, so the modulus step's input is the
        // estimate itself; without it the input drifts and the projection distance bounds P·O's error.
        guard fourierRelaxation == 0 else { return metrics }
        var reported = metrics
        reported.amplitudeResidual = metrics.projectionDistance
        return reported
    }

    /// DM carries its exit waves ψ from one iteration to the next.
    public func saveState<Backend: ReconstructionBackend>(on backend: Backend) -> EngineState {
        var state = EngineState()
        state.complexArrays["exit_waves"] = backend.exitWavesForCheckpoint()
        return state
    }

    public mutating func restoreState<Backend: ReconstructionBackend>(_ state: EngineState,
                                                                      on backend: Backend) throws {
        guard let saved = state.complexArrays["exit_waves"] else { throw EngineStateError.missing("exit_waves") }
        try backend.restoreExitWaves(from: saved)
    }

    public mutating func finish<Backend: ReconstructionBackend>(on backend: Backend) {
        backend.releaseExitWaves()
    }
}
