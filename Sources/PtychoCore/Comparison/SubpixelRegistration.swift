import Foundation

/// Sub-pixel translation between two complex images by upsampled cross-correlation
/// (Guizar-Sicairos, Thurman & Fienup, Opt. Lett. 33, 156 (2008)).
///
/// The integer peak of the FFT cross-correlation is refined by evaluating the correlation on finer and
/// finer grids around it with a matrix-multiply DFT, which costs O(H·W·m) per stage instead of an
/// m²-times larger padded FFT. Translations are circular (the images are treated as periodic), and a global
/// complex factor between the images does not move the peak.
public enum SubpixelRegistration {
    /// Upsampling used when the caller does not choose one: a 0.01-pixel grid, refined by a parabola.
    public static let defaultUpsampling = 100

    /// The shift `s` (pixels, rows then columns) for which `reference(r) ≈ moving(r − s)`: moving the
    /// content of `moving` by `s` (down and to the right for positive values) aligns it with `reference`.
    ///
    /// Both arrays must hold planes of the same extent (`[H, W]` or `[k, H, W]`, first plane used).
    /// The result lies in `[−H/2, H/2) × [−W/2, W/2)`.
    public static func shift(of moving: ComplexArray, relativeTo reference: ComplexArray,
                             upsampling: Int = defaultUpsampling) -> (row: Double, column: Double) {
        guard let extent = ComparisonPlane.extent(of: reference.shape),
              let other = ComparisonPlane.extent(of: moving.shape), other == extent else {
            preconditionFailure("registration needs two planes of one extent: \(reference.shape), \(moving.shape)")
        }
        let plan = FFTPlan2D(height: extent.height, width: extent.width, effort: .estimate)
        let all = 0..<extent.height, cols = 0..<extent.width
        let ref = ComparisonPlane.crop(reference, sourceWidth: extent.width, rows: all, columns: cols)
        let mov = ComparisonPlane.crop(moving, sourceWidth: extent.width, rows: all, columns: cols)
        return shift(of: mov, relativeTo: ref, plan: plan, upsampling: upsampling)
    }

    /// As the public entry point, on `[H, W]` arrays that are overwritten, with a caller-owned plan.
    static func shift(of moving: ComplexArray, relativeTo reference: ComplexArray, plan: FFTPlan2D,
                      upsampling: Int) -> (row: Double, column: Double) {
        plan.forward(reference.pointer)
        plan.forward(moving.pointer)
        // Cross-power spectrum F_ref·conj(F_mov), whose inverse transform peaks at s.
        let f = reference.pointer, g = moving.pointer
        for i in 0..<reference.count {
            let (ar, ai, br, bi) = (f[2 * i], f[2 * i + 1], g[2 * i], g[2 * i + 1])
            f[2 * i] = ar * br + ai * bi
            f[2 * i + 1] = ai * br - ar * bi
        }
        return peak(ofCrossPower: reference, plan: plan, upsampling: upsampling)
    }

    /// Location of the cross-correlation maximum for the cross-power spectrum `cross` (FFT order).
    static func peak(ofCrossPower cross: ComplexArray, plan: FFTPlan2D,
                     upsampling: Int) -> (row: Double, column: Double) {
        let h = plan.height, w = plan.width
        let correlation = ComplexArray(copying: cross)
        plan.inverse(correlation.pointer)
        var best = -1.0, bestIndex = 0
        let c = correlation.pointer
        for i in 0..<correlation.count {
            let m = Double(c[2 * i] * c[2 * i] + c[2 * i + 1] * c[2 * i + 1])
            if m > best { best = m; bestIndex = i }
        }
        var centre = (row: Double(ComparisonPlane.signedFrequency(bestIndex / w, h)),
                      column: Double(ComparisonPlane.signedFrequency(bestIndex % w, w)))
        guard upsampling > 1 else { return centre }
        // Coarse-to-fine: a 0.1-pixel grid over ±1 pixel, then the requested grid over ±1.5 coarse steps,
        // so each stage evaluates only a few hundred points.
        let finest = 1.0 / Double(upsampling)
        var stages: [(spacing: Double, halfWidth: Double)] = [(max(0.1, finest), 1.0)]
        if finest < 0.1 { stages.append((finest, 0.15)) }
        for (index, stage) in stages.enumerated() {
            let n = Int((stage.halfWidth / stage.spacing).rounded(.up))
            let offsets = (-n...n).map { Double($0) * stage.spacing }
            let rows = offsets.map { centre.row + $0 }, columns = offsets.map { centre.column + $0 }
            let magnitude = upsampledMagnitude(cross, height: h, width: w, rows: rows, columns: columns)
            let m = rows.count
            let top = magnitude.indices.max { magnitude[$0] < magnitude[$1] }!
            let (a, b) = (top / m, top % m)
            centre = (rows[a], columns[b])
            if index == stages.count - 1 {
                // A parabola through the peak and its neighbours recovers a fraction of the last grid step.
                func vertex(_ lo: Double, _ mid: Double, _ hi: Double) -> Double {
                    let curvature = lo - 2 * mid + hi
                    return curvature < 0 ? max(-0.5, min(0.5, 0.5 * (lo - hi) / curvature)) : 0
                }
                if a > 0 && a < m - 1 {
                    centre.row += stage.spacing
                        * vertex(magnitude[top - m], magnitude[top], magnitude[top + m])
                }
                if b > 0 && b < m - 1 {
                    centre.column += stage.spacing
                        * vertex(magnitude[top - 1], magnitude[top], magnitude[top + 1])
                }
            }
        }
        return centre
    }

    /// |Σ_q X(q)·exp(2πi(q_y·y/H + q_x·x/W))| on the grid `rows × columns` (row-major result):
    /// the inverse DFT of `cross` evaluated at arbitrary points, done as two small matrix products.
    static func upsampledMagnitude(_ cross: ComplexArray, height h: Int, width w: Int,
                                   rows: [Double], columns: [Double]) -> [Double] {
        let mr = rows.count, mc = columns.count
        // Column kernel [w × mc] and row kernel [mr × h], real and imaginary parts apart.
        var kxr = [Double](repeating: 0, count: w * mc), kxi = kxr
        for q in 0..<w {
            let f = 2 * Double.pi * Double(ComparisonPlane.signedFrequency(q, w)) / Double(w)
            for b in 0..<mc { kxr[q * mc + b] = cos(f * columns[b]); kxi[q * mc + b] = sin(f * columns[b]) }
        }
        var kyr = [Double](repeating: 0, count: mr * h), kyi = kyr
        for q in 0..<h {
            let f = 2 * Double.pi * Double(ComparisonPlane.signedFrequency(q, h)) / Double(h)
            for a in 0..<mr { kyr[a * h + q] = cos(f * rows[a]); kyi[a * h + q] = sin(f * rows[a]) }
        }
        // Stage 1: T[qy, b] = Σ_qx X[qy, qx]·Kx[qx, b].
        var tr = [Double](repeating: 0, count: h * mc), ti = tr
        let x = cross.pointer
        for qy in 0..<h {
            for qx in 0..<w {
                let xr = Double(x[2 * (qy * w + qx)]), xi = Double(x[2 * (qy * w + qx) + 1])
                let k = qx * mc, t = qy * mc
                for b in 0..<mc {
                    tr[t + b] += xr * kxr[k + b] - xi * kxi[k + b]
                    ti[t + b] += xr * kxi[k + b] + xi * kxr[k + b]
                }
            }
        }
        // Stage 2: C[a, b] = Σ_qy Ky[a, qy]·T[qy, b].
        var cr = [Double](repeating: 0, count: mr * mc), ci = cr
        for a in 0..<mr {
            for qy in 0..<h {
                let yr = kyr[a * h + qy], yi = kyi[a * h + qy], t = qy * mc
                for b in 0..<mc {
                    cr[a * mc + b] += yr * tr[t + b] - yi * ti[t + b]
                    ci[a * mc + b] += yr * ti[t + b] + yi * tr[t + b]
                }
            }
        }
        return (0..<(mr * mc)).map { (cr[$0] * cr[$0] + ci[$0] * ci[$0]).squareRoot() }
    }
}
