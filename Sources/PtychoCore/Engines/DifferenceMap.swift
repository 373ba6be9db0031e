/// Difference map: Thibault et al., Science 321, 379 (2008); Ultramicroscopy 109, 338 (2009), with
/// mixed-state probe modes. In the general projection form (PtyPy's notation) one iteration is
///   ψ ← ψ + b·P_F((1 − c)ψ + c·P O_j) + a·P O_j − (a + b)·ψ,   DM(α): a = −α, b = 1, c = 1 + α,
/// so α = 1 is classic DM, ψ ← ψ + P_F(2 P O_j − ψ) − P O_j, followed by the overlap projection
///   O = (c_O·O + Σ_j P* ψ_j) / (c_O + Σ_j |P|²),  then  P = (c_P·P + Σ_j O_j* ψ_j) / (c_P + Σ_j |O_j|²)
/// with PyNX's small inertia terms. P_F is relaxed to the Poisson noise level by default (a power
/// bound, `fourierRelaxation`), without which DM's iterates drift on noisy data. Frames are independent within an iteration, so the sweep runs on
/// every worker, each accumulating its own overlap sums.
///
/// Reported metrics: the Fourier error is Σ‖ψ_F − P O_j‖² / Σ m·I, an upper bound (Parseval) of the
/// error of the current estimate P O_j that is tight at a fixed point and needs no extra transform; the
/// Poisson likelihood is that of P_F's input, (1 − c)ψ + c·P O_j, as PtyPy reports DM's metrics.
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

    public init(alpha: Float = 1, objectInertia: Float = 0.01, probeInertia: Float = 0.001,
                probeUpdateStart: Int = 1, fourierRelaxation: Float = 1) {
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
        backend.resetOverlapSums()
        let metrics = backend.sweep(.parallel) { operators, frames in
            operators.combineExitWaves(frames, weight: c, fromStoredExitWaves: true)  // (1−c)ψ + c·P O_j
            operators.propagateForward(frames)
            operators.projectModulus(frames, relaxation: fourierRelaxation)
            operators.propagateBackward(frames)
            operators.updateExitWaves(frames, a: a, b: b, accumulateObjectSums: true)
        }
        // The overlap projection alternates: the object from the new ψ and the current probe, then the
        // probe from the new object. Solving both from the same sums would move each towards ψ as if the
        // other stood still, overshooting the product P·O.
        backend.solveObject(inertia: objectInertia)
        if iteration >= probeUpdateStart {
            _ = backend.sweep(.parallel) { operators, frames in operators.accumulateProbeSums(frames) }
            backend.solveProbe(inertia: probeInertia)
        }
        var reported = metrics
        reported.amplitudeResidual = metrics.projectionDistance
        return reported
    }

    public mutating func finish<Backend: ReconstructionBackend>(on backend: Backend) {
        backend.releaseExitWaves()
    }
}
