/// RAAR: Luke, Inverse Problems 21, 37 (2005), in ptychography as in PtyPy and Marchesini's SHARP: the
/// projection iteration of `ProjectionEngine` with a = 1 − 2β, b = β, c = 2, i.e.
///   ψ ← β·(ψ + P_F(2 P O_j − ψ) − P O_j) + (1 − β)·P O_j
/// a blend of the DM step and the current estimate P·O. β = 1 is DM(α = 1) exactly (a = −1, b = 1, c = 2).
///
/// Default β = 0.75: RAAR's relaxation is used between about 0.5 and 1 (Luke's analysis favours the upper
/// part of that range; SHARP's DM-like relaxation is 0.9); smaller β pulls ψ towards P·O, which damps DM's
/// oscillations on inconsistent (noisy) data at the cost of slower escape from poor starts.
/// Shares DM's inertia, power bound and probe start (`ProjectionSettings`).
public struct RelaxedAveragedAlternatingReflections: ProjectionEngine {
    public static let kind = EngineKind.relaxedAveragedAlternatingReflections
    public var beta: Float
    public var settings: ProjectionSettings
    public var coefficients: ProjectionCoefficients { .relaxedAveragedAlternatingReflections(beta: beta) }

    public init(beta: Float = 0.75, settings: ProjectionSettings = ProjectionSettings()) {
        self.beta = beta
        self.settings = settings
    }
}

/// Alternating projections: the projection iteration of `ProjectionEngine` with DM(α = 0), a = 0, b = 1,
/// c = 1, i.e. ψ ← P_F(P O_j) followed by the overlap projection (error reduction generalised to
/// ptychography). Converges monotonically but stagnates more easily than DM; useful as a final polish.
/// Shares DM's inertia, power bound and probe start (`ProjectionSettings`).
public struct AlternatingProjections: ProjectionEngine {
    public static let kind = EngineKind.alternatingProjections
    public var settings: ProjectionSettings
    public var coefficients: ProjectionCoefficients { .differenceMap(alpha: 0) }

    public init(settings: ProjectionSettings = ProjectionSettings()) {
        self.settings = settings
    }
}
