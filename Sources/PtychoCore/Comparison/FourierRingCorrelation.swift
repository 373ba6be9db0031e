import Foundation

/// A Fourier ring correlation curve with its ½-bit threshold.
///
/// Conventions: ring `i` holds the spatial frequencies whose magnitude `ρ` (cycles per metre, from both
/// axes' pixel sizes) rounds to `i·ringWidth`, where `ringWidth = 1 / min(H·p_y, W·p_x)` is the frequency
/// step of the shorter field of view; rings stop at the Nyquist frequency of the coarser axis,
/// `1 / (2·max(p_y, p_x))`. Corners beyond it are ignored. Resolution is quoted as a **half-period**,
/// `1 / (2·ρ)` metres, so a curve that stays above threshold up to Nyquist would resolve one pixel.
public struct FRCCurve: Sendable, Equatable {
    /// Ring centre frequency, cycles per metre; `spatialFrequency[i] == i·ringWidth`.
    public var spatialFrequency: [Double]
    /// |Σ F₁·conj(F₂)| / √(Σ|F₁|²·Σ|F₂|²) per ring; 0 for a ring without signal.
    public var correlation: [Double]
    /// van Heel & Schatz ½-bit threshold per ring.
    public var threshold: [Double]
    /// Number of Fourier pixels in each ring (`n_r` of the threshold).
    public var ringPixelCount: [Int]

    /// Half-period (m) at the first ring `i ≥ 1` where the correlation drops below the threshold,
    /// linearly interpolated between that ring and the one before it; nil when it never drops below up
    /// to Nyquist (the resolution is then at least `nyquistHalfPeriod`). Ring 0 (the mean) is skipped
    /// because its threshold is 1 by construction. A crossing at ring 1 reports ring 1's half-period.
    public var resolution: Double? {
        guard correlation.count > 1 else { return nil }
        for i in 1..<correlation.count where correlation[i] < threshold[i] {
            guard i > 1 else { return 1 / (2 * spatialFrequency[1]) }
            let before = correlation[i - 1] - threshold[i - 1], after = correlation[i] - threshold[i]
            let fraction = before / (before - after)
            let rho = spatialFrequency[i - 1] + fraction * (spatialFrequency[i] - spatialFrequency[i - 1])
            return 1 / (2 * rho)
        }
        return nil
    }

    /// Half-period at the last ring (m): the finest resolution the curve can express.
    public var nyquistHalfPeriod: Double { 1 / (2 * (spatialFrequency.last ?? .infinity)) }
}

public enum FourierRingCorrelation {
    /// ½-bit threshold (van Heel & Schatz, J. Struct. Biol. 151, 250 (2005)) for a ring of `n` pixels:
    /// T = (0.2071 + 1.9102/√n) / (1.2071 + 0.9102/√n).
    public static func halfBitThreshold(pixelsInRing n: Int) -> Double {
        guard n > 0 else { return 1 }
        let s = Double(n).squareRoot()
        return (0.2071 + 1.9102 / s) / (1.2071 + 0.9102 / s)
    }

    /// FRC between two planes of one extent (`[H, W]` or `[k, H, W]`, first plane used).
    /// The caller applies any window; this function transforms the images exactly as given.
    public static func curve(_ first: ComplexArray, _ second: ComplexArray,
                             pixelSize: (y: Double, x: Double)) -> FRCCurve {
        guard let extent = ComparisonPlane.extent(of: first.shape),
              let other = ComparisonPlane.extent(of: second.shape), other == extent else {
            preconditionFailure("FRC needs two planes of one extent: \(first.shape), \(second.shape)")
        }
        precondition(pixelSize.y > 0 && pixelSize.x > 0, "pixel sizes must be positive")
        let h = extent.height, w = extent.width
        let plan = FFTPlan2D(height: h, width: w, effort: .estimate)
        let a = ComparisonPlane.crop(first, sourceWidth: w, rows: 0..<h, columns: 0..<w)
        let b = ComparisonPlane.crop(second, sourceWidth: w, rows: 0..<h, columns: 0..<w)
        plan.forward(a.pointer)
        plan.forward(b.pointer)

        let ringWidth = 1 / min(Double(h) * pixelSize.y, Double(w) * pixelSize.x)
        let nyquist = 1 / (2 * max(pixelSize.y, pixelSize.x))
        let rings = Int((nyquist / ringWidth + 1e-9).rounded(.down)) + 1
        var crossRe = [Double](repeating: 0, count: rings), crossIm = crossRe
        var powerA = crossRe, powerB = crossRe
        var counts = [Int](repeating: 0, count: rings)
        let fa = a.pointer, fb = b.pointer
        for qy in 0..<h {
            let fy = Double(ComparisonPlane.signedFrequency(qy, h)) / (Double(h) * pixelSize.y)
            for qx in 0..<w {
                let fx = Double(ComparisonPlane.signedFrequency(qx, w)) / (Double(w) * pixelSize.x)
                let ring = Int(((fy * fy + fx * fx).squareRoot() / ringWidth).rounded())
                guard ring < rings else { continue }
                let i = 2 * (qy * w + qx)
                let (ar, ai, br, bi) = (Double(fa[i]), Double(fa[i + 1]), Double(fb[i]), Double(fb[i + 1]))
                crossRe[ring] += ar * br + ai * bi
                crossIm[ring] += ai * br - ar * bi
                powerA[ring] += ar * ar + ai * ai
                powerB[ring] += br * br + bi * bi
                counts[ring] += 1
            }
        }
        let correlation = (0..<rings).map { i -> Double in
            let norm = (powerA[i] * powerB[i]).squareRoot()
            return norm > 0 ? (crossRe[i] * crossRe[i] + crossIm[i] * crossIm[i]).squareRoot() / norm : 0
        }
        return FRCCurve(spatialFrequency: (0..<rings).map { Double($0) * ringWidth },
                        correlation: correlation,
                        threshold: counts.map { halfBitThreshold(pixelsInRing: $0) },
                        ringPixelCount: counts)
    }
}
