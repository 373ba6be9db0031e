/// The element-wise passes over one frame that every engine is built from, on raw interleaved complex
/// storage. Each pass touches one frame (and the object patch under it), so it runs from cache.
///
/// Layouts: probe and exit waves are `[K, ny, nx]` (K probe modes, contiguous frames); the object is
/// `[H, W]` and a patch is the `ny × nx` window whose top-left pixel is `(row, column)`, so row `r` of the
/// patch starts at `object + 2·((row + r)·W + column)`. Nothing here allocates.
public struct ObjectPatch {
    public let object: UnsafeMutablePointer<Float>
    public let objectWidth: Int
    public let row: Int
    public let column: Int

    @inlinable public init(object: UnsafeMutablePointer<Float>, objectWidth: Int, row: Int, column: Int) {
        self.object = object
        self.objectWidth = objectWidth
        self.row = row
        self.column = column
    }

    /// Start of patch row `r` (interleaved floats).
    @inlinable public func rowStart(_ r: Int) -> UnsafeMutablePointer<Float> {
        object + 2 * ((row + r) * objectWidth + column)
    }
}

/// Frame geometry shared by the kernels: `modes` probe modes of `height × width`.
public struct FrameShape: Sendable {
    public let height: Int
    public let width: Int
    public let modes: Int
    @inlinable public var pixels: Int { height * width }
    public init(height: Int, width: Int, modes: Int) {
        self.height = height
        self.width = width
        self.modes = modes
    }
}

public enum FrameKernels {
    /// `output_k = c·P_k·O + (1 − c)·ψ_k` for every mode. With `c = 1` (or `exitWaves == nil`) this is the
    /// plain exit wave P_k·O; DM(α) uses `c = 1 + α`, RAAR `c = 2`. Returns max_r |O(r)|² over the patch.
    @inlinable @discardableResult
    public static func combineExitWaves(probe: UnsafePointer<Float>, patch: ObjectPatch,
                                        exitWaves: UnsafePointer<Float>?, weight c: Float,
                                        output: UnsafeMutablePointer<Float>, shape: FrameShape) -> Float {
        let width = shape.width
        var maxObjectPower: Float = 0
        for r in 0..<shape.height {
            let o = patch.rowStart(r)
            for i in 0..<width {
                let power = o[2 * i] * o[2 * i] + o[2 * i + 1] * o[2 * i + 1]
                maxObjectPower = max(maxObjectPower, power)
            }
            for k in 0..<shape.modes {
                let offset = 2 * (k * shape.pixels + r * width)
                let p = probe + offset, out = output + offset
                if let psi = exitWaves {
                    let w = psi + offset, keep = 1 - c
                    for i in 0..<width {
                        let pr = p[2 * i], pi = p[2 * i + 1], or = o[2 * i], oi = o[2 * i + 1]
                        out[2 * i] = c * (pr * or - pi * oi) + keep * w[2 * i]
                        out[2 * i + 1] = c * (pr * oi + pi * or) + keep * w[2 * i + 1]
                    }
                } else {
                    for i in 0..<width {
                        let pr = p[2 * i], pi = p[2 * i + 1], or = o[2 * i], oi = o[2 * i + 1]
                        out[2 * i] = pr * or - pi * oi
                        out[2 * i + 1] = pr * oi + pi * or
                    }
                }
            }
        }
        return maxObjectPower
    }

    /// The modulus constraint with mixed-state modes (Thibault & Menzel 2013), applied to far fields from
    /// an unnormalised forward FFT: every mode at a good pixel is scaled by √I / (√Î + ε) with
    /// Î = Σ_k |Ψ_k|²/n the unitary intensity; bad pixels keep Ψ. The factor also carries the 1/n of the
    /// following unnormalised inverse FFT, so no separate scaling pass is needed.
    ///
    /// With `noiseBound` > 0 the projection is relaxed to the noise (a power bound): a frame whose
    /// residual e = Σ m(√Î − √I)² is already ≤ the bound is left unchanged, and otherwise each amplitude
    /// moves only to √I + (√Î − √I)·√(bound/e), the nearest point within the bound. This keeps DM from
    /// fitting Poisson noise, which otherwise makes its iterates drift. `modelAmplitude` is scratch for
    /// one frame (`n` floats), used only when the bound is active.
    /// Adds this frame's Σ m(√Î − √I)² and Σ m(Î − I·ln Î) to `metrics`.
    @inlinable
    public static func modulusProjection(farField: UnsafeMutablePointer<Float>,
                                         amplitudes: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                                         shape: FrameShape, noiseBound: Float,
                                         modelAmplitude: UnsafeMutablePointer<Float>,
                                         metrics: inout FourierMetrics) {
        let n = shape.pixels
        let inverseN = 1 / Float(n)
        let epsilon: Float = 1e-7
        let relaxed = noiseBound > 0
        var residual: Float = 0, likelihood: Float = 0
        // Rows keep the float partial sums short, so per-frame accuracy holds for large frames.
        for r in 0..<shape.height {
            var rowResidual: Float = 0, rowLikelihood: Float = 0
            let start = r * shape.width
            for i in start..<(start + shape.width) {
                var power: Float = 0
                for k in 0..<shape.modes {
                    let f = farField + 2 * (k * n + i)
                    power += f[0] * f[0] + f[1] * f[1]
                }
                let model = power * inverseN
                let amplitude = model.squareRoot()
                let measured = amplitudes[i], m = mask[i]
                let difference = amplitude - measured
                rowResidual += m * difference * difference
                rowLikelihood += m * (model - measured * measured * fastLogarithm(model + 1e-30))
                if relaxed {
                    modelAmplitude[i] = amplitude
                    continue
                }
                let factor = (m * measured / (amplitude + epsilon) + (1 - m)) * inverseN
                for k in 0..<shape.modes {
                    let f = farField + 2 * (k * n + i)
                    f[0] *= factor
                    f[1] *= factor
                }
            }
            residual += rowResidual
            likelihood += rowLikelihood
        }
        metrics.amplitudeResidual += Double(residual)
        metrics.likelihood += Double(likelihood)
        guard relaxed else { return }
        if residual <= noiseBound {
            for i in 0..<(2 * shape.modes * n) { farField[i] *= inverseN }
            return
        }
        let shrink = (noiseBound / residual).squareRoot()
        for i in 0..<n {
            let amplitude = modelAmplitude[i], measured = amplitudes[i], m = mask[i]
            let target = measured + (amplitude - measured) * shrink
            modelAmplitude[i] = (m * target / (amplitude + epsilon) + (1 - m)) * inverseN
        }
        for k in 0..<shape.modes {
            let f = farField + 2 * k * n
            for i in 0..<n {
                f[2 * i] *= modelAmplitude[i]
                f[2 * i + 1] *= modelAmplitude[i]
            }
        }
    }

    /// The generalised projection update of the stored exit waves (PtyPy's form of DM/RAAR/AP):
    /// `ψ ← ψ + b·ψ_F + a·P·O − (a + b)·ψ`, where ψ_F is the Fourier-projected wave in `projected`.
    /// With `accumulators`, also adds the object's overlap sums Σ_k P_k*ψ_k and Σ_k |P_k|² from the new ψ
    /// at the patch, while the frame is still in cache.
    /// Returns Σ |ψ_F − P·O|² over the frame: by Parseval an upper bound of the amplitude residual of P·O
    /// itself (ψ_F satisfies the modulus constraint), tight at a fixed point, so DM can report the error of
    /// its current estimate without another transform.
    @inlinable @discardableResult
    public static func updateExitWaves(exitWaves psi: UnsafeMutablePointer<Float>,
                                       projected: UnsafePointer<Float>, probe: UnsafePointer<Float>,
                                       patch: ObjectPatch, a: Float, b: Float, shape: FrameShape,
                                       accumulators: OverlapAccumulators?) -> Float {
        let width = shape.width, ab = a + b
        var distance: Float = 0
        for r in 0..<shape.height {
            let o = patch.rowStart(r)
            var rowDistance: Float = 0
            for k in 0..<shape.modes {
                let offset = 2 * (k * shape.pixels + r * width)
                let p = probe + offset, w = psi + offset, f = projected + offset
                for i in 0..<width {
                    let pr = p[2 * i], pi = p[2 * i + 1], or = o[2 * i], oi = o[2 * i + 1]
                    let poRe = pr * or - pi * oi, poIm = pr * oi + pi * or
                    let dRe = f[2 * i] - poRe, dIm = f[2 * i + 1] - poIm
                    rowDistance += dRe * dRe + dIm * dIm
                    w[2 * i] += b * f[2 * i] + a * poRe - ab * w[2 * i]
                    w[2 * i + 1] += b * f[2 * i + 1] + a * poIm - ab * w[2 * i + 1]
                }
            }
            distance += rowDistance
            guard let acc = accumulators else { continue }
            let objectRow = (patch.row + r) * acc.objectWidth + patch.column
            let numerator = acc.objectNumerator + 2 * objectRow
            let denominator = acc.objectDenominator + objectRow
            for k in 0..<shape.modes {
                let offset = 2 * (k * shape.pixels + r * width)
                let p = probe + offset, w = psi + offset
                for i in 0..<width {
                    let pr = p[2 * i], pi = p[2 * i + 1], wr = w[2 * i], wi = w[2 * i + 1]
                    numerator[2 * i] += pr * wr + pi * wi
                    numerator[2 * i + 1] += pr * wi - pi * wr
                    denominator[i] += pr * pr + pi * pi
                }
            }
        }
        return distance
    }

    /// Adds one frame's probe overlap sums, O_j*ψ_jk and |O_j|², from the stored exit waves and the
    /// (already updated) object.
    @inlinable
    public static func accumulateProbeSums(exitWaves psi: UnsafePointer<Float>, patch: ObjectPatch,
                                           shape: FrameShape, accumulators acc: OverlapAccumulators) {
        let width = shape.width
        for r in 0..<shape.height {
            let o = patch.rowStart(r)
            for k in 0..<shape.modes {
                let offset = 2 * (k * shape.pixels + r * width)
                let w = psi + offset, numerator = acc.probeNumerator + offset
                for i in 0..<width {
                    let or = o[2 * i], oi = o[2 * i + 1], wr = w[2 * i], wi = w[2 * i + 1]
                    numerator[2 * i] += or * wr + oi * wi
                    numerator[2 * i + 1] += or * wi - oi * wr
                }
            }
            let denominator = acc.probeDenominator + r * width
            for i in 0..<width { denominator[i] += o[2 * i] * o[2 * i] + o[2 * i + 1] * o[2 * i + 1] }
        }
    }

    /// The ePIE update (Maiden & Rodenburg 2009, eqs. 6–7) with mixed-state modes, in place:
    /// Δ_k = ψ'_k − P_k·O;  O ← O + objectStep·Σ_k P_k*·Δ_k;  P_k ← P_k + probeStep·O*·Δ_k,
    /// both from the values before this update. The caller folds the ePIE normalisations
    /// (α / max Σ_k|P_k|², β / max|O|²) into the steps. Returns max_r Σ_k |P_k(r)|² after the update.
    @inlinable
    public static func pieUpdate(projected: UnsafePointer<Float>, probe: UnsafeMutablePointer<Float>,
                                 patch: ObjectPatch, objectStep: Float, probeStep: Float,
                                 shape: FrameShape, probePower: UnsafeMutablePointer<Float>) -> Float {
        let width = shape.width
        for r in 0..<shape.height {
            let o = patch.rowStart(r)
            let power = probePower + r * width
            for i in 0..<width { power[i] = 0 }
            for i in 0..<width {
                let or = o[2 * i], oi = o[2 * i + 1]
                var deltaORe: Float = 0, deltaOIm: Float = 0
                for k in 0..<shape.modes {
                    let offset = 2 * (k * shape.pixels + r * width + i)
                    let p = probe + offset, f = projected + offset
                    let pr = p[0], pi = p[1]
                    let dRe = f[0] - (pr * or - pi * oi), dIm = f[1] - (pr * oi + pi * or)
                    deltaORe += pr * dRe + pi * dIm
                    deltaOIm += pr * dIm - pi * dRe
                    let npr = pr + probeStep * (or * dRe + oi * dIm)
                    let npi = pi + probeStep * (or * dIm - oi * dRe)
                    p[0] = npr
                    p[1] = npi
                    power[i] += npr * npr + npi * npi
                }
                o[2 * i] = or + objectStep * deltaORe
                o[2 * i + 1] = oi + objectStep * deltaOIm
            }
        }
        var maxPower: Float = 0
        for i in 0..<shape.pixels { maxPower = max(maxPower, probePower[i]) }
        return maxPower
    }
}

/// Per-worker sums for the overlap projection: each thread owns one set, so no locks are needed;
/// they are added together before the solve.
public struct OverlapAccumulators {
    public let objectNumerator: UnsafeMutablePointer<Float>
    public let objectDenominator: UnsafeMutablePointer<Float>
    public let objectWidth: Int
    public let probeNumerator: UnsafeMutablePointer<Float>
    public let probeDenominator: UnsafeMutablePointer<Float>

    public init(objectNumerator: UnsafeMutablePointer<Float>, objectDenominator: UnsafeMutablePointer<Float>,
                objectWidth: Int, probeNumerator: UnsafeMutablePointer<Float>,
                probeDenominator: UnsafeMutablePointer<Float>) {
        self.objectNumerator = objectNumerator
        self.objectDenominator = objectDenominator
        self.objectWidth = objectWidth
        self.probeNumerator = probeNumerator
        self.probeDenominator = probeDenominator
    }
}
