/// The projection engines (DM, RAAR, AP) as one iteration with three parameter choices, in PtyPy's
/// general form of the exit-wave update (notes/algorithms.md):
///   f = P_F((1 − c)·ψ + c·P O_j)
///   ψ ← ψ + b·f + a·P O_j − (a + b)·ψ
/// followed by the overlap projection
///   O = (c_O·O + Σ_j P* ψ_j) / (c_O + Σ_j |P|²),  then  P = (c_P·P + Σ_j O_j* ψ_j) / (c_P + Σ_j |O_j|²)
/// with PyNX's small inertia terms. The choices (`ProjectionCoefficients`):
///   DM(α):   a = −α,     b = 1, c = 1 + α   (α = 1 classic DM: ψ ← ψ + P_F(2 P O − ψ) − P O)
///   RAAR(β): a = 1 − 2β, b = β, c = 2       (β = 1 is DM(α = 1))
///   AP:      DM(α = 0),  a = 0, b = 1, c = 1 (ψ ← P_F(P O))
/// P_F is relaxed to the Poisson noise level by default (a power bound, `fourierRelaxation`), without
/// which the iterates drift on noisy data. Frames are independent within an iteration, so the sweep runs
/// on every worker, each accumulating its own overlap sums.
///
/// Reported metrics are those of P_F's input, (1 − c)ψ + c·P O_j, as PtyPy reports DM's. For every choice
/// above a + b·c = 1, so a frame that the power bound leaves unprojected (f = the input) gets
/// ψ ← (1 − a − b·c)·ψ + (a + b·c)·P O = P O: its ψ is reset to P·O, the next input is the current
/// estimate itself, and the metrics are those of P·O. With the exact projection (`fourierRelaxation` = 0)
/// the input drifts on noisy data (c ≠ 1: DM's and RAAR's reflection 2 P O − ψ), so the Fourier error
/// reported is instead Σ‖f − P O_j‖² / Σ m·I, an upper bound (Parseval) of P·O's error, tight at a fixed
/// point. AP (c = 1) projects P·O itself, so its metrics are P·O's exactly and are reported as they are.
///
/// State: the exit waves ψ (`exit_waves`, `[N, K, ny, nx]`), held by the backend while the stage runs.
///
/// The probe modes are orthogonalised after the probe solve (the stored ψ get the same change of basis);
/// with position refinement each frame's shift is estimated from its updated ψ against P·O_j, and the
/// positions move after the overlap projection.
public protocol ProjectionEngine: ReconstructionEngine {
    var coefficients: ProjectionCoefficients { get }
    var settings: ProjectionSettings { get }
}

/// a, b, c of the general projection update (see `ProjectionEngine`).
public struct ProjectionCoefficients: Equatable, Sendable {
    public var a: Float
    public var b: Float
    public var c: Float

    public init(a: Float, b: Float, c: Float) {
        self.a = a
        self.b = b
        self.c = c
    }

    /// DM(α): α = 1 classic difference map, α = 0 alternating projections.
    public static func differenceMap(alpha: Float) -> Self { Self(a: -alpha, b: 1, c: 1 + alpha) }
    /// RAAR(β) (Luke, Inverse Problems 21, 37 (2005)); β = 1 is DM(α = 1).
    public static func relaxedAveragedAlternatingReflections(beta: Float) -> Self { Self(a: 1 - 2 * beta, b: beta, c: 2) }
}

/// What every projection engine shares besides a, b, c (DM's configuration keys).
public struct ProjectionSettings: Equatable, Sendable {
    /// Overlap-projection inertia, × max Σ|P|² (object) and × max Σ|O|² (probe).
    public var objectInertia: Float
    public var probeInertia: Float
    /// First (plan-wide, 1-based) iteration that updates the probe.
    public var probeUpdateStart: Int
    /// Power-bound relaxation of the modulus projection, in units of the expected Poisson noise
    /// (0 = exact projection).
    public var fourierRelaxation: Float
    /// Position refinement (issue 3, item 5); `nil` = positions fixed.
    public var positionRefinement: PositionRefinement?

    public init(objectInertia: Float = 0.01, probeInertia: Float = 0.001, probeUpdateStart: Int = 1,
                fourierRelaxation: Float = 2, positionRefinement: PositionRefinement? = nil) {
        self.positionRefinement = positionRefinement
        self.objectInertia = objectInertia
        self.probeInertia = probeInertia
        self.probeUpdateStart = probeUpdateStart
        self.fourierRelaxation = fourierRelaxation
    }
}

extension ProjectionEngine {
    /// The name of the exit waves in the engine state.
    public static var exitWavesStateName: String { "exit_waves" }

    public mutating func start<Backend: ReconstructionBackend>(on backend: Backend) {
        backend.initialiseExitWaves()
    }

    public mutating func iterate<Backend: ReconstructionBackend>(on backend: Backend, iteration: Int,
                                                                  random: inout RandomSource) -> FourierMetrics {
        let (a, b, c) = (coefficients.a, coefficients.b, coefficients.c)
        let fourierRelaxation = settings.fourierRelaxation
        let positionRefinement = settings.positionRefinement
        let refinePositions = positionRefinement?.isActive(at: iteration) ?? false
        backend.resetOverlapSums()
        let metrics = backend.sweep(.parallel) { operators, frames in
            operators.combineExitWaves(frames, weight: c, fromStoredExitWaves: true)  // (1−c)ψ + c·P O_j
            operators.propagateForward(frames)
            operators.projectModulus(frames, relaxation: fourierRelaxation)
            operators.propagateBackward(frames)                                       // f
            operators.updateExitWaves(frames, a: a, b: b)                             // ψ + b f + a P O − (a+b) ψ
            // Δ = ψ_new − P·O_j: where the frame's exit wave disagrees with the overlap model.
            if refinePositions { operators.estimatePositionShift(frames, fromStoredExitWaves: true) }
        }
        // The overlap projection alternates: the object from the new ψ and the current probe, then the
        // probe from the new object. Solving both from the same sums would move each towards ψ as if the
        // other stood still, overshooting the product P·O.
        backend.solveObject(inertia: settings.objectInertia)
        if iteration >= settings.probeUpdateStart {
            _ = backend.sweep(.parallel) { operators, frames in operators.accumulateProbeSums(frames) }
            backend.solveProbe(inertia: settings.probeInertia)
            backend.orthogonaliseProbeModes()
        }
        // After both overlap halves: the next iteration's patches move, the exit waves stay with their frames.
        if refinePositions { backend.refinePositions(stepLimit: positionRefinement!.stepLimit) }
        // With the power bound a converged frame's ψ is reset to P·O, so the modulus step's input is the
        // estimate itself; without it the input drifts and the projection distance bounds P·O's error.
        guard fourierRelaxation == 0, c != 1 else { return metrics }
        var reported = metrics
        reported.amplitudeResidual = metrics.projectionDistance
        return reported
    }

    public mutating func finish<Backend: ReconstructionBackend>(on backend: Backend) {
        backend.releaseExitWaves()
    }

    /// The exit waves, by reference (a checkpoint writes them before the next iteration changes them).
    public func saveState<Backend: ReconstructionBackend>(on backend: Backend) -> EngineState {
        var state = EngineState()
        if let waves = backend.exitWaves { state.complexArrays[Self.exitWavesStateName] = waves }
        return state
    }

    public mutating func restoreState<Backend: ReconstructionBackend>(_ state: EngineState, on backend: Backend) throws {
        guard let shape = backend.exitWavesShape else { return }
        backend.restoreExitWaves(from: try state.complexArray(Self.exitWavesStateName, shape: shape))
    }
}

extension ReconstructionConfiguration {
    /// The settings DM, RAAR and AP share, from DM's keys.
    public var projectionSettings: ProjectionSettings {
        ProjectionSettings(objectInertia: dmObjectInertia, probeInertia: dmProbeInertia,
                           probeUpdateStart: probeUpdateStart, fourierRelaxation: dmFourierRelaxation,
                           positionRefinement: positionRefinement)
    }
}
