/// The frames one operator call works on: indices into the measured frames, in processing order.
/// The CPU backend hands its workers one frame at a time (so each frame stays in cache through the
/// whole pipeline); a GPU backend hands large batches. Engines must not assume either.
public struct FrameBatch {
    public let indices: UnsafeBufferPointer<Int>
    @inlinable public init(_ indices: UnsafeBufferPointer<Int>) { self.indices = indices }
}

/// The per-frame operators engines are composed from (PyNX-style). An implementation belongs to one
/// backend worker: it owns the scratch waves that flow from one call to the next, so a pipeline is
/// `combineExitWaves → propagateForward → projectModulus → propagateBackward → (update)` on one batch.
public protocol FrameOperators {
    /// scratch_k = c·P_k·O_j + (1 − c)·ψ_jk, with ψ the stored exit waves when `fromStoredExitWaves`,
    /// else the plain exit wave P_k·O_j (c ignored).
    func combineExitWaves(_ batch: FrameBatch, weight c: Float, fromStoredExitWaves: Bool)
    /// scratch ← F scratch (far field).
    func propagateForward(_ batch: FrameBatch)
    /// Modulus constraint with mixed-state modes and the mask; accumulates the Fourier metrics.
    /// `relaxation` > 0 relaxes it to a power bound of `relaxation` × the frame's expected Poisson
    /// amplitude noise (see `FrameKernels.modulusProjection`); 0 is the exact projection.
    func projectModulus(_ batch: FrameBatch, relaxation: Float)
    /// scratch ← F⁻¹ scratch (back to the sample plane). Where the relaxed modulus projection left a frame
    /// within its bound, the result is the wave that went into `propagateForward`, which a backend may
    /// rebuild instead of transforming (the CPU's does).
    func propagateBackward(_ batch: FrameBatch)
    /// ψ ← ψ + b·scratch + a·P·O − (a + b)·ψ on the stored exit waves, adding the frame's object overlap
    /// sums (Σ_k P_k*ψ_k, Σ_k |P_k|²) from the new ψ (after `resetOverlapSums`) and Σ|scratch − P·O|² to
    /// the metrics' `projectionDistance`.
    func updateExitWaves(_ batch: FrameBatch, a: Float, b: Float)
    /// Adds the frame's probe overlap sums (O_j*ψ_jk, |O_j|²) from the stored ψ and the current object.
    func accumulateProbeSums(_ batch: FrameBatch)
    /// The PIE family's object and probe update from scratch = ψ' (`FrameKernels.pieUpdate`): ePIE's steps
    /// α, β (Maiden & Rodenburg 2009) with rPIE's denominators (Maiden, Johnson & Li 2017)
    /// (1 − α_O)·Σ_k|P_k|² + α_O·max Σ_k|P_k|² and (1 − α_P)·|O|² + α_P·max|O|²; α_O = α_P = 1 is ePIE.
    func pieUpdate(_ batch: FrameBatch, alpha: Float, beta: Float, objectRegularisation: Float,
                   probeRegularisation: Float, updateProbe: Bool)

    // Position refinement (issue 3, item 5).
    /// Estimates each frame's position shift (`FrameKernels.positionShift`) and keeps it for the backend's
    /// `refinePositions`: from Δ = ψ' − P·O_j with ψ' = scratch (ePIE family: call after
    /// `propagateBackward`, before the update), or with ψ' the stored exit waves when `fromStoredExitWaves`
    /// (DM: after `updateExitWaves`, so Δ is the new ψ's disagreement with the overlap model P·O_j).
    func estimatePositionShift(_ batch: FrameBatch, fromStoredExitWaves: Bool)
    // maximum likelihood (see `LikelihoodKernels` for the equations)
    /// scratch (far field of P·O_j) ← 2·m·f′(Î)·scratch/n, which `propagateBackward` turns into the exit-wave
    /// gradient; accumulates the Fourier metrics of the current iterate.
    func weightLikelihoodGradient(_ batch: FrameBatch, noise: LikelihoodNoiseModel)
    /// Adds the object (and with `includeProbe` the probe) gradient from scratch = exit-wave gradient into the
    /// worker's overlap sums (after `resetOverlapSums`): numerators take gradients, denominators curvatures.
    func accumulateLikelihoodGradient(_ batch: FrameBatch, includeProbe: Bool)
    /// Fills the search waves P·ΔO_j + ΔP·O_j and (with `includeProbe`) ΔP·ΔO_j from the search direction;
    /// the current far field F(P·O_j) is the one `weightLikelihoodGradient` saw in this iteration's gradient sweep.
    func combineSearchWaves(_ batch: FrameBatch, includeProbe: Bool)
    /// Forward transforms of the search waves (one, or two with `includeProbe`).
    func propagateSearchWavesForward(_ batch: FrameBatch, includeProbe: Bool)
    /// Adds the frame's first and second derivative of the objective along the search direction to the
    /// worker's line-search sums.
    func accumulateLineSearch(_ batch: FrameBatch, noise: LikelihoodNoiseModel, includeProbe: Bool)
}

extension FrameOperators {
    /// ePIE's update: `pieUpdate` with ePIE's normalisation by the maxima (α_O = α_P = 1).
    public func pieUpdate(_ batch: FrameBatch, alpha: Float, beta: Float, updateProbe: Bool) {
        pieUpdate(batch, alpha: alpha, beta: beta, objectRegularisation: 1, probeRegularisation: 1,
                  updateProbe: updateProbe)
    }
}

/// How a sweep visits the frames.
public enum SweepOrder {
    /// Every frame once, split across all workers; the order inside a worker is ascending. Frames must be
    /// independent within the sweep (DM, RAAR).
    case parallel
    /// The given order, one frame after another, each seeing the updates of the previous (ePIE family).
    case sequential([Int])
}

/// What engines need from a backend besides the per-frame operators: sweeps, and the global steps
/// between them. A backend owns the model (object, probe, exit waves) and the measured data.
public protocol ReconstructionBackend: AnyObject {
    associatedtype Operators: FrameOperators
    var frameCount: Int { get }
    var data: MeasuredData { get }
    /// The host model the backend was made for.
    var model: ReconstructionModel { get }
    /// Brings `model` up to date with the backend's working copy: the probe (and positions) always, the
    /// object too when `includingObject` (it is large). A no-op where the model is the working copy (CPU).
    func synchroniseModel(includingObject: Bool)
    /// Runs `body` over every frame and returns the Fourier metrics the operators accumulated.
    func sweep(_ order: SweepOrder, _ body: (Operators, FrameBatch) -> Void) -> FourierMetrics
    /// Allocates the stored exit waves (if needed) and sets ψ_jk = P_k·O_j.
    func initialiseExitWaves()
    /// Frees the stored exit waves (a stage that does not need them returns the memory).
    func releaseExitWaves()
    /// Zeroes the overlap-projection sums before a sweep that accumulates them.
    func resetOverlapSums()
    /// Object half of the overlap projection from the accumulated sums, with inertia (PyNX's
    /// regularisation): O = (c_O·O + Σ P*ψ)/(c_O + Σ|P|²), c_O = inertia·max Σ|P|².
    func solveObject(inertia: Float)
    /// Probe half: P = (c_P·P + Σ O*ψ)/(c_P + Σ|O|²), c_P = inertia·max Σ|O|².
    func solveProbe(inertia: Float)

    // Probe-mode orthogonalisation (issue 3, item 4).
    /// Replaces the probe modes by the orthogonal ones spanning the same space, ordered by decreasing
    /// power (eigenvectors of their Gram matrix, `ProbeModeOrthogonaliser`); stored exit waves get the same
    /// change of basis, so ψ_jk stays paired with P_k. Σ_k|P_k|² per pixel is unchanged. Call right after
    /// each probe update; a no-op with one mode.
    func orthogonaliseProbeModes()

    // Position refinement (issue 3, item 5).
    /// Moves every frame by the shift `estimatePositionShift` measured in the sweep just run, at most
    /// `stepLimit` pixels per axis, mean step removed, patches kept inside the object
    /// (`ReconstructionModel.refinePositions`).
    func refinePositions(stepLimit: Double)
    // rPIE / mPIE / RAAR / background
    /// The stored exit waves `[N, K, ny, nx]` while a projection stage (DM, RAAR, AP) runs, else nil.
    var exitWaves: ComplexArray? { get }
    /// The shape of `exitWaves` (nil when none are stored), without producing them (a device backend would
    /// copy them to the host).
    var exitWavesShape: [Int]? { get }
    /// Copies saved exit waves (same shape) into the stored ones, for a resumed run.
    func restoreExitWaves(from saved: ComplexArray)
    /// mPIE's buffers: zero velocities, snapshots equal to the current object and probe.
    func makeMomentumBuffers() -> MomentumBuffers
    /// mPIE's momentum step (see `MomentumPIE`) on the object, and on the probe when `includeProbe`:
    /// v ← η·v + (X − S);  X ← X + ν·v;  S ← X.
    func applyMomentum(_ buffers: MomentumBuffers, friction: Float, feedback: Float, includeProbe: Bool)
    /// The model's incoherent background B (part of the model, like the object), nil when off. A
    /// checkpoint saves `background.values` and restores them with `background.restore(from:)`.
    var background: IncoherentBackground? { get }
    /// Adds B to the model (see `IncoherentBackground`); every later modulus projection uses it.
    func enableBackground()
    /// B's refinement from the ratios the projections since the last call accumulated (no-op when off).
    func refineBackground()
    /// Forgets the ratios accumulated since the last refinement (ML evaluates an iterate again after taking
    /// a step back: only the iterate it keeps should refine B). A no-op when off.
    func discardBackgroundRatios()
    // maximum likelihood: conjugate-gradient arrays (gradient, previous gradient, search direction for the
    // object and the probe) held by the backend, and the global steps between the sweeps.
    /// Allocates (zeroed) the conjugate-gradient arrays and the workers' search-wave scratch; the overlap
    /// sums hold the per-worker gradient sums.
    func prepareLikelihood()
    /// H·W of the object (scales the smoothness prior).
    var objectPixelCount: Int { get }
    func releaseLikelihood()
    /// Sums the workers' gradient sums into the gradient and adds the smoothness prior's gradient
    /// (`smoothness` = μ, 0 = none).
    func reduceLikelihoodGradient(smoothness: Double) -> LikelihoodGradientSummary
    /// Inner products of the gradient with itself and with the previous gradient.
    func conjugateGradientProducts() -> ConjugateGradientProducts
    /// h_O ← −g_O + β·h_O, h_P ← −s·g_P + β·h_P (h_P = 0 without `includeProbe`), then previous ← g.
    func updateSearchDirection(beta: Double, probeScale: Double, includeProbe: Bool)
    /// The workers' line-search sums (L′(0), L″(0) of the data term), zeroing them.
    func takeLineSearchSums() -> (first: Double, second: Double)
    /// L′(0), L″(0) of the smoothness prior along the search direction.
    func smoothnessAlongSearchDirection(weight: Double) -> (first: Double, second: Double)
    /// O ← O + γ·h_O, and with `includeProbe` P ← P + γ·h_P.
    func stepAlongSearchDirection(_ step: Float, includeProbe: Bool)
    /// The arrays the conjugate gradient carries between iterations (by reference), and their restore.
    func conjugateGradientState() -> [String: ComplexArray]
    func restoreConjugateGradientState(_ arrays: [String: ComplexArray]) throws
}

extension ReconstructionBackend {
    public func synchroniseModel(includingObject: Bool) {}
    public var exitWavesShape: [Int]? { exitWaves?.shape }
}
