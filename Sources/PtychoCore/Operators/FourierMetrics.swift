/// Running sums behind the per-iteration error metrics of the data-format spec.
///
/// `amplitudeResidual` = Σ m·(|Ψ| − √I)²; `likelihood` = Σ m·(Î − I·ln Î) (without the data-only
/// ln Γ(I+1) term, which `MeasuredData` adds once). Sums are per worker and per frame in Float, across
/// frames in Double, so accuracy does not depend on the frame count.
/// `projectionDistance` = Σ |ψ_F − P·O|², filled by the exit-wave update of projection engines.
public struct FourierMetrics: Sendable, Equatable {
    public var amplitudeResidual: Double = 0
    public var likelihood: Double = 0
    public var projectionDistance: Double = 0

    public init() {}

    public static func + (a: Self, b: Self) -> Self {
        var s = Self()
        s.amplitudeResidual = a.amplitudeResidual + b.amplitudeResidual
        s.likelihood = a.likelihood + b.likelihood
        s.projectionDistance = a.projectionDistance + b.projectionDistance
        return s
    }
}
