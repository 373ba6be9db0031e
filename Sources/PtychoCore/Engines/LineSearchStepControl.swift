/// How far maximum likelihood's conjugate-gradient steps go along h, and what happens when one overshoots.
///
/// The line search (`MaximumLikelihood`, step 3) takes the minimiser of a second-order model of L(γ); for
/// Poisson data L is far from quadratic where Î is small, so the model can overshoot by orders of magnitude
/// (measured on simulated data: a step that raised L by 3.8·10⁷ where iterations lowered it by 10³–10⁴, and
/// still raised it at a sixteenth of its length). The next iteration's gradient pass gives L at the new
/// iterate anyway, so a step is checked there:
/// - L rose by more than rounding (`tolerance`): the step is halved back, a gradient pass each, at most
///   `maximumHalvings` times, then undone; each halving also halves `fraction`, the share of the model's
///   step that later steps take, so that a model that overshot is not followed again at full length;
/// - L fell by at least half of what the model predicted: `fraction` doubles back towards 1.
///
/// Invariants: 0 < `fraction` ≤ 1; a step is pending (awaiting its check) from `step` until `stepBack`
/// returns nil.
public struct LineSearchStepControl: Sendable {
    public static let maximumHalvings = 4
    /// Share of the model's step taken.
    public private(set) var fraction = 1.0
    /// The pending step: L where it started, the length still taken along h, the model's predicted change
    /// of L, and how often it was halved.
    private var before = Double.nan, remaining = 0.0, predicted = 0.0, halvings = 0

    public init() {}

    /// How far L may rise between iterates before a step counts as overshooting: L is summed per frame in
    /// Float (the Poisson L of 10⁶ photons per frame is ~10⁹), whose rounding is estimated at ~10⁻⁷·|L|
    /// (not measured); the tolerance is ten times that.
    public static func tolerance(_ objective: Double) -> Double { 1e-6 * abs(objective) }

    /// The step γ along h from an iterate where L = `objective`, L′(0) = `first`, L″(0) = `second`:
    /// `fraction` × the model's minimiser −L′/L″, with |L″| where the curvature is negative (the model then
    /// has no minimum but still says how far its slope is worth following). nil (no step) when the sums are
    /// not finite or the curvature is zero.
    public mutating func step(from objective: Double, first: Double, second: Double) -> Double? {
        guard second != 0, first.isFinite, second.isFinite, objective.isFinite else {
            before = .nan
            return nil
        }
        let step = -fraction * first / abs(second)
        (before, remaining, halvings) = (objective, step, 0)
        predicted = step * first + 0.5 * step * step * abs(second)
        return step
    }

    /// Given L at the iterate the pending step reached (and again after each move back): how far to step
    /// back along h, or nil once the iterate stands (L did not rise, the step was undone, or none pends).
    public mutating func stepBack(objective: Double) -> Double? {
        guard !before.isNaN else { return nil }
        if objective <= before + Self.tolerance(before) {
            if halvings == 0 && predicted < 0 && objective - before <= 0.5 * predicted {
                fraction = min(1, 2 * fraction)
            }
            before = .nan
            return nil
        }
        fraction /= 2
        if halvings == Self.maximumHalvings {
            before = .nan
            return remaining
        }
        halvings += 1
        remaining /= 2
        return remaining
    }

    /// The numbers a checkpoint keeps (`init(saved:)` restores them).
    public var saved: [Double] { [fraction, before, remaining, predicted, Double(halvings)] }

    /// Restores `saved`; nil when the array is not one.
    public init?(saved: [Double]) {
        guard saved.count == 5, saved[0] > 0, saved[0] <= 1, let halvings = Int(exactly: saved[4]) else { return nil }
        (fraction, before, remaining, predicted, self.halvings) = (saved[0], saved[1], saved[2], saved[3], halvings)
    }
}
