/// What `TruthComparison.compare` found. All pixel quantities are in object pixels.
///
/// Model fitted on the compared region: `truth(r) ≈ globalScale · ramp(r) · recon(r − registrationShift)`,
/// with `ramp` as documented on `PhaseRamp` and `recon(r − s)` a band-limited (Fourier) shift.
public struct ComparisonReport: Sendable {
    /// Complex normalised RMS error √(Σ w·|c·ramp·A − T|² / Σ w·|T|²) over the compared pixels.
    public var nrmse: Double
    /// Misregistration of the reconstruction beyond what the two origins imply, pixels (rows, columns):
    /// the reconstruction's content must move by this much (down/right positive) to match the truth.
    /// Zero for a reconstruction whose positions are exactly right.
    public var shift: (row: Double, column: Double)
    /// The translation actually applied to the cropped reconstruction: `shift` plus the sub-pixel part of
    /// the origin difference that integer cropping could not absorb.
    public var registrationShift: (row: Double, column: Double)
    /// Linear phase ramp removed (radians per pixel, about the compared region's centre).
    public var phaseRamp: PhaseRamp
    /// Global complex factor `c` as amplitude and phase (radians): the truth is `amplitude` times brighter.
    public var globalScale: (amplitude: Double, phase: Double)
    /// FRC between the aligned reconstruction and the truth over the tapered compared region.
    public var frc: FRCCurve
    /// Half-period (m) at the ½-bit crossing; nil when the FRC never falls below the threshold.
    public var frcResolution: Double? { frc.resolution }
    /// Number of pixels with non-zero weight in the NRMSE (the well-illuminated overlap).
    public var comparedPixelCount: Int
    /// The compared region in truth pixels (the overlap of both arrays).
    public var truthRows: Range<Int>
    public var truthColumns: Range<Int>
}

/// Why a comparison could not be made.
public enum ComparisonError: Error, Equatable, CustomStringConvertible {
    /// An array is not `[H, W]` or `[k, H, W]`, or the illumination's extent differs from the object's.
    case badShape(String)
    /// The two arrays share fewer than `minimum` pixels along an axis once their origins are matched.
    case overlapTooSmall(rows: Int, columns: Int, minimum: Int)
    /// No pixel of the overlap is illuminated above the threshold.
    case nothingIlluminated

    public var description: String {
        switch self {
        case .badShape(let what): return "cannot compare: \(what)"
        case .overlapTooSmall(let rows, let columns, let minimum):
            return "reconstruction and truth overlap on only \(rows) × \(columns) pixels"
                + " (need \(minimum) × \(minimum))"
        case .nothingIlluminated: return "no pixel of the overlap is well illuminated"
        }
    }
}
