import Foundation

/// A linear phase ramp `exp(i·(radiansPerRow·y + radiansPerColumn·x))`, with `y`, `x` in pixels measured
/// from the centre `((H−1)/2, (W−1)/2)` of the compared region, so that the ramp carries no constant
/// phase of its own (that belongs to the global scale).
public struct PhaseRamp: Sendable, Equatable {
    public var radiansPerRow: Double
    public var radiansPerColumn: Double

    public init(radiansPerRow: Double, radiansPerColumn: Double) {
        self.radiansPerRow = radiansPerRow
        self.radiansPerColumn = radiansPerColumn
    }

    public static let zero = PhaseRamp(radiansPerRow: 0, radiansPerColumn: 0)

    /// Multiplies the `[H, W]` plane `image` in place by `factor·exp(±i·ramp)` (`+` unless `conjugate`).
    func apply(to image: ComplexArray, height: Int, width: Int,
               factor: (re: Double, im: Double) = (1, 0), conjugate: Bool = false) {
        let (rows, columns) = factors(height: height, width: width, conjugate: conjugate)
        let p = image.pointer
        for r in 0..<height {
            // The row factor absorbs the constant `factor`, leaving one complex product per pixel.
            let (ur, ui) = (factor.re * rows[r].re - factor.im * rows[r].im,
                            factor.re * rows[r].im + factor.im * rows[r].re)
            for c in 0..<width {
                let (vr, vi) = columns[c]
                let er = ur * vr - ui * vi, ei = ur * vi + ui * vr
                let i = 2 * (r * width + c)
                let (zr, zi) = (Double(p[i]), Double(p[i + 1]))
                p[i] = Float(zr * er - zi * ei)
                p[i + 1] = Float(zr * ei + zi * er)
            }
        }
    }

    /// The ramp factorised as `exp(±i·k_y·y)` per row times `exp(±i·k_x·x)` per column, so that applying
    /// it costs no trigonometry per pixel.
    func factors(height: Int, width: Int, conjugate: Bool = false)
        -> (rows: [(re: Double, im: Double)], columns: [(re: Double, im: Double)]) {
        let sign = conjugate ? -1.0 : 1.0
        let cy = Double(height - 1) / 2, cx = Double(width - 1) / 2
        let rows = (0..<height).map { r -> (re: Double, im: Double) in
            let phase = sign * radiansPerRow * (Double(r) - cy)
            return (cos(phase), sin(phase))
        }
        let columns = (0..<width).map { c -> (re: Double, im: Double) in
            let phase = sign * radiansPerColumn * (Double(c) - cx)
            return (cos(phase), sin(phase))
        }
        return (rows, columns)
    }
}

/// The global complex scale and phase ramp that best map an aligned reconstruction `A` onto the truth `T`:
/// minimises Σ w·|c·ramp·A − T|² over the complex number `c` and the ramp.
///
/// The ramp is found from the phase of the product `P = T·conj(A)`, never from a fit of the wrapped phase
/// itself: first the weighted mean of neighbour products `P(r + ê)·conj(P(r))` gives the gradient (valid
/// for any ramp below π per pixel), then a weighted plane fit of the small residual phase refines it using
/// every pixel. Weights `w·|P| = w·|T|·|A|` make it amplitude-weighted.
struct ScaleAndRampFit {
    /// Global complex factor `c`: fixes the global phase and the amplitude scale.
    var scale: (re: Double, im: Double)
    var ramp: PhaseRamp

    /// Fits `c` and the ramp on `[H, W]` planes `aligned` and `truth` with binary-or-soft `weight`,
    /// starting from `initialRamp` (a coarse estimate that need not be close for slow ramps).
    static func fit(aligned: ComplexArray, truth: ComplexArray, weight: [Float], height: Int, width: Int,
                    initialRamp: PhaseRamp, iterations: Int = 3) -> ScaleAndRampFit {
        var ramp = initialRamp
        let product = ComplexArray(shape: [height, width])
        for _ in 0..<iterations {
            formDerampedProduct(aligned: aligned, truth: truth, ramp: ramp, height: height, width: width,
                                into: product)
            let step = neighbourGradient(product, weight: weight, height: height, width: width)
            ramp.radiansPerRow += step.row
            ramp.radiansPerColumn += step.column
            formDerampedProduct(aligned: aligned, truth: truth, ramp: ramp, height: height, width: width,
                                into: product)
            let residual = residualPlane(product, weight: weight, height: height, width: width)
            ramp.radiansPerRow += residual.row
            ramp.radiansPerColumn += residual.column
        }
        // c = Σ w·conj(ramp·A)·T / Σ w·|A|², i.e. Σ w·P / Σ w·|A|² with P de-ramped.
        formDerampedProduct(aligned: aligned, truth: truth, ramp: ramp, height: height, width: width,
                            into: product)
        let numerator = ComparisonPlane.weightedSum(product, weight: weight)
        var denominator = 0.0
        let a = aligned.pointer
        for i in 0..<(height * width) {
            denominator += Double(weight[i]) * Double(a[2 * i] * a[2 * i] + a[2 * i + 1] * a[2 * i + 1])
        }
        let scale = denominator > 0 ? (numerator.re / denominator, numerator.im / denominator) : (0, 0)
        return ScaleAndRampFit(scale: scale, ramp: ramp)
    }

    /// `out = T·conj(A)·exp(−i·ramp)`.
    static func formDerampedProduct(aligned: ComplexArray, truth: ComplexArray, ramp: PhaseRamp,
                                    height: Int, width: Int, into out: ComplexArray) {
        let a = aligned.pointer, t = truth.pointer, o = out.pointer
        let (rows, columns) = ramp.factors(height: height, width: width, conjugate: true)
        for r in 0..<height {
            let (ur, ui) = rows[r]
            for c in 0..<width {
                let (vr, vi) = columns[c]
                let er = ur * vr - ui * vi, ei = ur * vi + ui * vr
                let i = 2 * (r * width + c)
                let (ar, ai, tr, ti) = (Double(a[i]), Double(a[i + 1]), Double(t[i]), Double(t[i + 1]))
                let pr = tr * ar + ti * ai, pi = ti * ar - tr * ai
                o[i] = Float(pr * er - pi * ei)
                o[i + 1] = Float(pr * ei + pi * er)
            }
        }
    }

    /// Mean phase gradient of `p` from weighted neighbour products along each axis, radians per pixel.
    static func neighbourGradient(_ p: ComplexArray, weight: [Float], height: Int,
                                  width: Int) -> (row: Double, column: Double) {
        var sr = (0.0, 0.0), sc = (0.0, 0.0)
        let z = p.pointer
        for r in 0..<height {
            for c in 0..<width {
                let i = r * width + c
                let (zr, zi) = (Double(z[2 * i]), Double(z[2 * i + 1]))
                if c + 1 < width {
                    let w = Double(weight[i] * weight[i + 1])
                    let (nr, ni) = (Double(z[2 * i + 2]), Double(z[2 * i + 3]))
                    sc.0 += w * (nr * zr + ni * zi); sc.1 += w * (ni * zr - nr * zi)
                }
                if r + 1 < height {
                    let j = i + width
                    let w = Double(weight[i] * weight[j])
                    let (nr, ni) = (Double(z[2 * j]), Double(z[2 * j + 1]))
                    sr.0 += w * (nr * zr + ni * zi); sr.1 += w * (ni * zr - nr * zi)
                }
            }
        }
        return (atan2(sr.1, sr.0), atan2(sc.1, sc.0))
    }

    /// Slopes of the weighted least-squares plane through the phase of `p` relative to its mean phase.
    /// Only meaningful once the ramp is mostly removed, so that this residual phase does not wrap.
    static func residualPlane(_ p: ComplexArray, weight: [Float], height: Int,
                              width: Int) -> (row: Double, column: Double) {
        let mean = ComparisonPlane.weightedSum(p, weight: weight)
        let theta = atan2(mean.im, mean.re)
        let (ur, ui) = (cos(theta), -sin(theta))
        let cy = Double(height - 1) / 2, cx = Double(width - 1) / 2
        // Normal equations of φ ≈ a + b_y·y + b_x·x with weights ω = w·|P|.
        var m = [Double](repeating: 0, count: 9), v = [Double](repeating: 0, count: 3)
        let z = p.pointer
        for r in 0..<height {
            let y = Double(r) - cy
            for c in 0..<width {
                let i = r * width + c
                let (zr, zi) = (Double(z[2 * i]), Double(z[2 * i + 1]))
                let omega = Double(weight[i]) * (zr * zr + zi * zi).squareRoot()
                guard omega > 0 else { continue }
                let phi = atan2(zr * ui + zi * ur, zr * ur - zi * ui)
                let x = Double(c) - cx
                m[0] += omega; m[1] += omega * y; m[2] += omega * x
                m[4] += omega * y * y; m[5] += omega * y * x; m[8] += omega * x * x
                v[0] += omega * phi; v[1] += omega * phi * y; v[2] += omega * phi * x
            }
        }
        m[3] = m[1]; m[6] = m[2]; m[7] = m[5]
        guard let solution = solve3(m, v) else { return (0, 0) }
        return (solution[1], solution[2])
    }

    /// Solves the 3 × 3 system `m·x = v` by Cramer's rule; nil when singular (e.g. a one-pixel-wide region).
    static func solve3(_ m: [Double], _ v: [Double]) -> [Double]? {
        func det(_ a: [Double]) -> Double {
            a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6])
                + a[2] * (a[3] * a[7] - a[4] * a[6])
        }
        let d = det(m)
        guard abs(d) > 1e-12 * max(1, abs(m[0] * m[4] * m[8])) else { return nil }
        return (0..<3).map { column in
            var a = m
            for row in 0..<3 { a[3 * row + column] = v[row] }
            return det(a) / d
        }
    }
}
