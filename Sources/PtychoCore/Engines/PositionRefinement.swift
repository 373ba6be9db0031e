/// When and how far engines move the scan positions (issue 3, item 5).
///
/// From iteration `start` (1-based, plan-wide) every iteration estimates each frame's shift in the
/// per-frame pipeline (`estimatePositionShift`, after the back-propagation) and moves the positions at
/// the end of the iteration (`refinePositions`), at most `stepLimit` object pixels per axis. The object must
/// have converged somewhat first: the shift is measured against it. Patches move by whole pixels (the
/// rounded positions); the probe is not shifted by sub-pixel amounts, the positions themselves are kept
/// and written with sub-pixel precision.
public struct PositionRefinement: Sendable, Equatable {
    public var start: Int
    public var stepLimit: Double

    public init(start: Int, stepLimit: Double = 0.5) {
        self.start = start
        self.stepLimit = stepLimit
    }

    public func isActive(at iteration: Int) -> Bool { iteration >= start }
}
