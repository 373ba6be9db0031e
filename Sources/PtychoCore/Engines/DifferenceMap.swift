/// Difference map: Thibault et al., Science 321, 379 (2008); Ultramicroscopy 109, 338 (2009), with
/// mixed-state probe modes: the projection iteration of `ProjectionEngine` with DM(α): a = −α, b = 1,
/// c = 1 + α, so α = 1 is classic DM, ψ ← ψ + P_F(2 P O_j − ψ) − P O_j, and α = 0 alternating projections.
public struct DifferenceMap: ProjectionEngine {
    public static let kind = EngineKind.differenceMap
    public var alpha: Float
    public var settings: ProjectionSettings
    public var coefficients: ProjectionCoefficients { .differenceMap(alpha: alpha) }

    public init(alpha: Float = 1, objectInertia: Float = 0.01, probeInertia: Float = 0.001,
                probeUpdateStart: Int = 1, fourierRelaxation: Float = 2,
                positionRefinement: PositionRefinement? = nil) {
        self.init(alpha: alpha, settings: ProjectionSettings(objectInertia: objectInertia, probeInertia: probeInertia,
                                                             probeUpdateStart: probeUpdateStart,
                                                             fourierRelaxation: fourierRelaxation,
                                                             positionRefinement: positionRefinement))
    }

    public init(alpha: Float = 1, settings: ProjectionSettings) {
        self.alpha = alpha
        self.settings = settings
    }
}
