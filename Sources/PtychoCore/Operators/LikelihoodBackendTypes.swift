/// What the maximum-likelihood gradient reduction reports besides the gradient itself.
public struct LikelihoodGradientSummary: Sendable, Equatable {
    /// max over the object of Σ_j Σ_k |P_k|²: the scale of the data term's curvature in the object.
    public var objectCurvature: Double = 0
    /// max over the frame of Σ_j |O_j|²: the same for the probe (0 when the probe is not updated).
    public var probeCurvature: Double = 0
    /// R(O) of the smoothness prior.
    public var smoothness: Double = 0
    public init() {}
}

/// Inner products (real parts, Double) of the current gradient g and the previous one g′, object and
/// probe separately so that the engine can weight the probe's by its preconditioning scale.
public struct ConjugateGradientProducts: Sendable, Equatable {
    public var objectNorm: Double = 0
    public var probeNorm: Double = 0
    public var objectOverlap: Double = 0
    public var probeOverlap: Double = 0
    public init() {}
}
