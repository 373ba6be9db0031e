/// Maximum likelihood by conjugate gradients: Thibault & Guizar-Sicairos, New J. Phys. 14, 063004 (2012),
/// with mixed-state probe modes and the detector mask. (Written from the project notes' summary of the
/// paper; its equations are cited by content, not number.)
///
/// Objective L(O, P) = Σ_j Σ_r m·f(Î_j; I_j) + R(O), Î_j = Σ_k |F(P_k·O_j)|² (unitary F), with
/// f = Î − I·ln Î (Poisson) or f = (√Î − √I)² (Gaussian noise on the amplitude), R the optional
/// smoothness prior (`ObjectSmoothness`, the paper's Gaussian smoothness prior). With an incoherent
/// background B in the model Î gains + B (B is refined between iterations from the gradient pass's ratios,
/// as after a projection, and is not a variable of the line search). One iteration:
///  1. gradient (the paper's Poisson gradient, written for any f): g_ψjk = 2·F⁻¹[m·f′(Î)·Ψ_jk], g_O = Σ_{j,k} P_k*·g_ψjk at each patch (+ ∇R),
///     g_P_k = Σ_j O_j*·g_ψjk — one forward and one inverse transform per frame and mode;
///  2. Polak–Ribière direction: h = −g̃ + β·h, β = max(0, ⟨g̃, g̃ − g̃′⟩ / ⟨g̃′, g̃′⟩), g̃′ the previous
///     iteration's gradient; restarted (β = 0) at the first iteration, when the probe starts being updated,
///     after a line search without positive curvature and after a step that had to be taken back;
///  3. line search: along (ΔO, ΔP) = γ·(h_O, h_P) the far field is Ψ + γ·A1 + γ²·A2 (the exit wave is
///     bilinear in O and P), so L(γ) is expanded to second order about γ = 0 with coefficients computed
///     exactly in one pass over the frames (as the paper does for the Poisson term; Ψ is kept from the
///     gradient sweep, so only the direction's terms are transformed: two forward transforms, one without
///     a probe direction — or one, where the backend keeps the exit-wave gradients g_ψ: A2 enters L″ only
///     as Σ m·f′(Î)·2Re(Ψ̄·A2), which by Parseval is 2Re Σ conj(g_ψ)·ΔP·ΔO in real space, see
///     `LikelihoodKernels.combineSearchWaves`); R(γ) is exactly quadratic. The step is the minimiser γ = −L′(0)/L″(0) (|L″(0)| where
///     the curvature is negative), shortened by `LineSearchStepControl` after a model that overshot;
///  4. safeguard (not in the paper, `LineSearchStepControl`): the next iteration's gradient pass gives L at
///     the new iterate; where the step raised L, it is halved back (a gradient pass each) or undone, and
///     the direction restarts from steepest descent. L never rises by more than its rounding.
///
/// Preconditioning between object and probe: the variables are (O, P/σ) with σ² = max Σ_j Σ_k|P_k|² /
/// max Σ_j |O_j|², the ratio of the data term's curvature scales in object and probe (the normalisations
/// ePIE uses), so that one step γ is right for both. In the original variables this multiplies the probe's
/// share of the direction by σ² and of the inner products in β by σ² (`probeScale`). Probe updates start at
/// `probeUpdateStart` as in the other engines.
///
/// Reported metrics are those of the iterate at the start of the iteration (before its step), from the
/// gradient pass.
public struct MaximumLikelihood: ReconstructionEngine {
    public static let kind = EngineKind.maximumLikelihood
    public var noise: LikelihoodNoiseModel
    /// Weight of the smoothness prior relative to the data: μ = `objectRegularisation` × Σ m·I / (H·W),
    /// the mean photon count per object pixel, which is the scale of the data term's curvature in the
    /// object (Σ_j Σ_k |P_k|² averaged over the object). 0 = no prior.
    public var objectRegularisation: Double
    /// First (plan-wide, 1-based) iteration that updates the probe.
    public var probeUpdateStart: Int
    /// L of the iterate whose metrics the last `iterate` returned (data term + prior).
    public private(set) var lastObjective: Double = 0
    /// The step γ of the last line search (0 when it was skipped).
    public private(set) var lastStep: Double = 0

    /// ⟨g̃′, g̃′⟩ of the previous iteration, for β.
    private var previousNorm = 0.0
    /// The step's length control and its check at the next iterate.
    public private(set) var stepControl = LineSearchStepControl()
    /// Whether h holds a direction to continue from, and whether it included the probe.
    private var hasDirection = false
    private var directionIncludesProbe = false

    public init(noise: LikelihoodNoiseModel = .poisson, objectRegularisation: Double = 0, probeUpdateStart: Int = 1) {
        self.noise = noise
        self.objectRegularisation = objectRegularisation
        self.probeUpdateStart = probeUpdateStart
    }

    public mutating func start<Backend: ReconstructionBackend>(on backend: Backend) {
        backend.prepareLikelihood()
        hasDirection = false
        stepControl = LineSearchStepControl()
    }

    public mutating func finish<Backend: ReconstructionBackend>(on backend: Backend) {
        backend.releaseLikelihood()
    }

    /// μ of the smoothness prior for this data set (see `objectRegularisation`).
    public func smoothnessWeight<Backend: ReconstructionBackend>(on backend: Backend) -> Double {
        objectRegularisation * backend.data.maskedIntensitySum / Double(max(1, backend.objectPixelCount))
    }

    public mutating func iterate<Backend: ReconstructionBackend>(on backend: Backend, iteration: Int,
                                                                  random: inout RandomSource) -> FourierMetrics {
        let noise = noise, includeProbe = iteration >= probeUpdateStart
        let mu = objectRegularisation > 0 ? smoothnessWeight(on: backend) : 0

        // 1. Gradient of L at the current iterate, with its Fourier metrics.
        var (metrics, summary) = gradient(on: backend, includeProbe: includeProbe, smoothness: mu)
        // 4. Where the last step raised L, back along h until it does not.
        var steppedBack = false
        while let back = stepControl.stepBack(objective: lastObjective) {
            backend.stepAlongSearchDirection(Float(-back), includeProbe: directionIncludesProbe)
            backend.discardBackgroundRatios()
            (metrics, summary) = gradient(on: backend, includeProbe: includeProbe, smoothness: mu)
            steppedBack = true
        }
        if steppedBack { hasDirection = false }

        // 2. Polak–Ribière direction in the preconditioned variables (O, P/σ).
        let probeScale = includeProbe && summary.probeCurvature > 0 ? summary.objectCurvature / summary.probeCurvature : 0
        let products = backend.conjugateGradientProducts()
        let norm = products.objectNorm + probeScale * products.probeNorm
        var beta = 0.0
        if hasDirection && directionIncludesProbe == includeProbe && previousNorm > 0 {
            let overlap = products.objectOverlap + probeScale * products.probeOverlap
            beta = max(0, (norm - overlap) / previousNorm)
        }
        backend.updateSearchDirection(beta: beta, probeScale: probeScale, includeProbe: includeProbe)
        previousNorm = norm
        directionIncludesProbe = includeProbe

        // 3. Line search: L(γ) ≈ L + γ·L′(0) + ½γ²·L″(0) along the direction.
        _ = backend.sweep(.parallel) { operators, frames in
            operators.combineSearchWaves(frames, includeProbe: includeProbe)   // P·ΔO + ΔP·O, ΔP·ΔO
            operators.propagateSearchWavesForward(frames, includeProbe: includeProbe)
            operators.accumulateLineSearch(frames, noise: noise, includeProbe: includeProbe)
        }
        let data = backend.takeLineSearchSums(), prior = backend.smoothnessAlongSearchDirection(weight: mu)
        let first = data.first + prior.first, second = data.second + prior.second
        if let step = stepControl.step(from: lastObjective, first: first, second: second) {
            lastStep = step
            backend.stepAlongSearchDirection(Float(step), includeProbe: includeProbe)
            hasDirection = second > 0
        } else {
            lastStep = 0
            hasDirection = false
        }
        return metrics
    }

    /// One gradient pass at the current iterate: g_O, g_P (and the prior's) in the backend, L in
    /// `lastObjective`, and the iterate's Fourier metrics.
    private mutating func gradient<Backend: ReconstructionBackend>(
        on backend: Backend, includeProbe: Bool, smoothness mu: Double
    ) -> (FourierMetrics, LikelihoodGradientSummary) {
        let noise = noise
        backend.resetOverlapSums()
        let metrics = backend.sweep(.parallel) { operators, frames in
            operators.combineExitWaves(frames, weight: 1, fromStoredExitWaves: false)   // ψ = P·O_j
            operators.propagateForward(frames)                                          // Ψ = F ψ
            operators.weightLikelihoodGradient(frames, noise: noise)                    // 2m·f′(Î)·Ψ
            operators.propagateBackward(frames)                                         // g_ψ
            operators.accumulateLikelihoodGradient(frames, includeProbe: includeProbe)  // g_O, g_P
        }
        let summary = backend.reduceLikelihoodGradient(smoothness: mu)
        lastObjective = (noise == .poisson ? metrics.likelihood : metrics.amplitudeResidual) + summary.smoothness
        return (metrics, summary)
    }

    public func saveState<Backend: ReconstructionBackend>(on backend: Backend) -> EngineState {
        var state = EngineState()
        state.complexArrays = backend.conjugateGradientState()
        state.numbers["ml_previous_norm"] = [previousNorm]
        state.integers["ml_direction"] = [hasDirection ? 1 : 0, directionIncludesProbe ? 1 : 0]
        state.numbers["ml_step_control"] = stepControl.saved
        return state
    }

    public mutating func restoreState<Backend: ReconstructionBackend>(_ state: EngineState, on backend: Backend) throws {
        try backend.restoreConjugateGradientState(state.complexArrays)
        guard let norm = try state.numbers("ml_previous_norm").first else {
            throw EngineStateError.missing("ml_previous_norm")
        }
        let flags = try state.integers("ml_direction")
        guard flags.count == 2 else { throw EngineStateError.missing("ml_direction") }
        previousNorm = norm
        hasDirection = flags[0] != 0
        directionIncludesProbe = flags[1] != 0
        // Checkpoints written before the step control have none: it starts afresh.
        stepControl = (try? state.numbers("ml_step_control")).flatMap(LineSearchStepControl.init(saved:))
            ?? LineSearchStepControl()
    }
}
