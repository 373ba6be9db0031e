import CFFTW

/// The element-wise passes over one frame that every engine is built from, on raw interleaved complex
/// storage. Each pass touches one frame (and the object patch under it), so it runs from cache.
///
/// Layouts: probe and exit waves are `[K, ny, nx]` (K probe modes, contiguous frames); the object is
/// `[H, W]` and a patch is the `ny × nx` window whose top-left pixel is `(row, column)`.
///
/// Every inner loop is a plain element-wise loop over one row with no floating-point reduction, because
/// the compiler does not reassociate float sums and would otherwise leave the loop scalar: per-pixel terms
/// are added element-wise into a scratch row (column sums over the frame's rows), which `Reduction` sums
/// once per frame. Each pass does all its work on a pixel while the pixel's data are in registers.
/// Nothing here allocates.
public enum FrameKernels {
    /// `output_k = c·P_k·O + (1 − c)·ψ_k` for every mode. Without stored exit waves this is the plain
    /// exit wave P_k·O; DM(α) uses `c = 1 + α`, RAAR `c = 2`.
    @inlinable
    public static func combineExitWaves(probe: UnsafePointer<Float>, patch: ObjectPatch,
                                        exitWaves: UnsafePointer<Float>?, weight c: Float,
                                        output: UnsafeMutablePointer<Float>, shape: FrameShape) {
        let width = shape.width, keep = 1 - c
        for r in 0..<shape.height {
            let o = UnsafePointer(patch.rowStart(r))
            for k in 0..<shape.modes {
                let offset = 2 * (k * shape.pixels + r * width)
                let p = probe + offset, out = output + offset
                if let psi = exitWaves {
                    let w = psi + offset
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
    }

    /// The modulus constraint with mixed-state modes (Thibault & Menzel 2013), applied to far fields from
    /// an unnormalised forward FFT: every mode at a good pixel is scaled by √I / (√Î + ε) with
    /// Î = Σ_k |Ψ_k|²/n the unitary intensity; bad pixels keep Ψ. The factor also carries the 1/n of the
    /// following unnormalised inverse FFT, so no separate scaling pass is needed.
    ///
    /// With `noiseBound` > 0 the projection is relaxed to the noise (a power bound): a frame whose
    /// residual e = Σ m(√Î − √I)² is already ≤ the bound is left unchanged, and otherwise each amplitude
    /// moves only to √I + (√Î − √I)·√(bound/e), the nearest point within the bound. This keeps DM from
    /// fitting Poisson noise, which otherwise makes its iterates drift.
    /// Adds this frame's Σ m(√Î − √I)² and Σ m(Î − I·ln Î) to `metrics`.
    ///
    /// With an incoherent `background` B (`IncoherentBackground`, same layout as the data) the model is
    /// Î = Σ_k |Ψ_k|²/n + B: the factor √I/√Î then scales the modes by √(I/Î), the metrics use Î with B, and
    /// m·I/Î is added to `backgroundRatios` for B's refinement. Both are handled in separate row loops
    /// chosen outside the pixel loops, so without a background the pixel loops are those of the plain model.
    ///
    /// One pass over the frame computes √Î and the metric terms row by row; the exact projection scales
    /// each row right there (it is still in L1), the relaxed one needs the frame's residual first and
    /// scales in a second pass.
    @inlinable
    public static func modulusProjection(farField: UnsafeMutablePointer<Float>,
                                         amplitudes: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                                         shape: FrameShape, noiseBound: Float, scratch: KernelScratch,
                                         metrics: inout FourierMetrics, background: UnsafePointer<Float>? = nil,
                                         backgroundRatios: UnsafeMutablePointer<Float>? = nil) {
        let n = shape.pixels, width = shape.width, modes = shape.modes
        let inverseN = 1 / Float(n)
        let relaxed = noiseBound > 0
        // Column sums of the metric terms over the rows: element-wise, so the loops vectorise; one
        // reduction per frame at the end.
        let residualTerms = scratch.rowA, likelihoodTerms = scratch.rowB
        residualTerms.update(repeating: 0, count: width)
        likelihoodTerms.update(repeating: 0, count: width)
        for r in 0..<shape.height {
            let start = r * width
            let row = farField + 2 * start
            // √Î for this row; the exact projection turns it into the factor in place.
            let model = scratch.frame + start
            Self.modePower(row, modes: modes, modeStride: 2 * n, count: width, into: model)
            let a = amplitudes + start, m = mask + start
            if let background {
                let b = background + start, scale = Float(n)
                for i in 0..<width { model[i] += b[i] * scale }
            }
            for i in 0..<width {
                let intensity = model[i] * inverseN, root = ptychite_sqrt(intensity)
                let difference = root - a[i]
                residualTerms[i] += m[i] * difference * difference
                likelihoodTerms[i] += m[i] * (intensity - a[i] * a[i] * fastLogarithm(intensity + tiny))
                model[i] = root
            }
            if let backgroundRatios {
                let q = backgroundRatios + start
                for i in 0..<width { q[i] += m[i] * a[i] * a[i] / (model[i] * model[i] + tiny) }
            }
            if !relaxed {
                for i in 0..<width { model[i] = (m[i] * a[i] / (model[i] + epsilon) + (1 - m[i])) * inverseN }
                Self.scaleModes(row, by: model, modes: modes, modeStride: 2 * n, count: width)
            }
        }
        let residual = Reduction.sum(residualTerms, width), likelihood = Reduction.sum(likelihoodTerms, width)
        metrics.amplitudeResidual += Double(residual)
        metrics.likelihood += Double(likelihood)
        guard relaxed else { return }
        if residual <= noiseBound {
            for k in 0..<modes {
                let f = farField + 2 * k * n
                for i in 0..<2 * n { f[i] *= inverseN }
            }
            return
        }
        let shrink = ptychite_sqrt(noiseBound / residual)
        for r in 0..<shape.height {
            let start = r * width
            let factor = scratch.frame + start, a = amplitudes + start, m = mask + start
            for i in 0..<width {
                let target = a[i] + (factor[i] - a[i]) * shrink
                factor[i] = (m[i] * target / (factor[i] + epsilon) + (1 - m[i])) * inverseN
            }
            Self.scaleModes(farField + 2 * start, by: factor, modes: modes, modeStride: 2 * n, count: width)
        }
    }

    /// Denominator guard of the modulus factor, and the floor that keeps ln Î finite.
    @usableFromInline static let epsilon: Float = 1e-7
    @usableFromInline static let tiny: Float = 1e-30

    /// `wave_k[i] *= factor[i]` for `count` pixels of modes `modeStride` floats apart.
    @inlinable
    static func scaleModes(_ wave: UnsafeMutablePointer<Float>, by factor: UnsafePointer<Float>, modes: Int,
                           modeStride: Int, count: Int) {
        for k in 0..<modes {
            let f = wave + k * modeStride
            for i in 0..<count {
                f[2 * i] *= factor[i]
                f[2 * i + 1] *= factor[i]
            }
        }
    }

    /// `into[i] = Σ_k |wave_k[i]|²` for `count` pixels of modes `modeStride` floats apart.
    @inlinable
    static func modePower(_ wave: UnsafePointer<Float>, modes: Int, modeStride: Int, count: Int,
                          into power: UnsafeMutablePointer<Float>) {
        for i in 0..<count { power[i] = wave[2 * i] * wave[2 * i] + wave[2 * i + 1] * wave[2 * i + 1] }
        for k in 1..<max(1, modes) {
            let w = wave + k * modeStride
            for i in 0..<count { power[i] += w[2 * i] * w[2 * i] + w[2 * i + 1] * w[2 * i + 1] }
        }
    }

    /// The generalised projection update of the stored exit waves (PtyPy's form of DM/RAAR/AP):
    /// `ψ ← ψ + b·ψ_F + a·P·O − (a + b)·ψ`, where ψ_F is the Fourier-projected wave in `projected`.
    /// Also adds the object's overlap sums Σ_k P_k*ψ_k and Σ_k |P_k|² from the new ψ to `acc` at the
    /// patch, in the same pass (the new ψ is still in registers).
    /// Returns Σ |ψ_F − P·O|² over the frame: by Parseval an upper bound of the amplitude residual of P·O
    /// itself (ψ_F satisfies the modulus constraint), tight at a fixed point, so DM can report the error of
    /// its current estimate without another transform.
    @inlinable @discardableResult
    public static func updateExitWaves(exitWaves psi: UnsafeMutablePointer<Float>,
                                       projected: UnsafePointer<Float>, probe: UnsafePointer<Float>,
                                       patch: ObjectPatch, a: Float, b: Float, shape: FrameShape,
                                       accumulators acc: OverlapAccumulators, scratch: KernelScratch) -> Float {
        let width = shape.width, ab = a + b
        // Column sums of |ψ_F − P·O|² over rows and modes, reduced once at the end.
        let distanceTerms = scratch.rowA
        distanceTerms.update(repeating: 0, count: width)
        for r in 0..<shape.height {
            let o = UnsafePointer(patch.rowStart(r))
            for k in 0..<shape.modes {
                let offset = 2 * (k * shape.pixels + r * width)
                let p = probe + offset, w = psi + offset, f = projected + offset
                let objectRow = (patch.row + r) * acc.objectWidth + patch.column
                let numerator = acc.objectNumerator + 2 * objectRow
                let denominator = acc.objectDenominator + objectRow
                for i in 0..<width {
                    let pr = p[2 * i], pi = p[2 * i + 1], or = o[2 * i], oi = o[2 * i + 1]
                    let poRe = pr * or - pi * oi, poIm = pr * oi + pi * or
                    let fRe = f[2 * i], fIm = f[2 * i + 1]
                    let dRe = fRe - poRe, dIm = fIm - poIm
                    distanceTerms[i] += dRe * dRe + dIm * dIm
                    let wr = w[2 * i] + (b * fRe + a * poRe - ab * w[2 * i])
                    let wi = w[2 * i + 1] + (b * fIm + a * poIm - ab * w[2 * i + 1])
                    w[2 * i] = wr
                    w[2 * i + 1] = wi
                    numerator[2 * i] += pr * wr + pi * wi
                    numerator[2 * i + 1] += pr * wi - pi * wr
                    denominator[i] += pr * pr + pi * pi
                }
            }
        }
        return Reduction.sum(distanceTerms, width)
    }

    /// Adds one frame's probe overlap sums, O_j*ψ_jk and |O_j|², from the stored exit waves and the
    /// (already updated) object.
    @inlinable
    public static func accumulateProbeSums(exitWaves psi: UnsafePointer<Float>, patch: ObjectPatch,
                                           shape: FrameShape, accumulators acc: OverlapAccumulators) {
        let width = shape.width
        for r in 0..<shape.height {
            let o = UnsafePointer(patch.rowStart(r))
            let denominator = acc.probeDenominator + r * width
            // Mode 0 also adds |O|², so the object row is read once for both sums.
            let w = psi + 2 * r * width, numerator = acc.probeNumerator + 2 * r * width
            for i in 0..<width {
                let or = o[2 * i], oi = o[2 * i + 1], wr = w[2 * i], wi = w[2 * i + 1]
                numerator[2 * i] += or * wr + oi * wi
                numerator[2 * i + 1] += or * wi - oi * wr
                denominator[i] += or * or + oi * oi
            }
            for k in 1..<max(1, shape.modes) {
                let offset = 2 * (k * shape.pixels + r * width)
                let w = psi + offset, numerator = acc.probeNumerator + offset
                for i in 0..<width {
                    let or = o[2 * i], oi = o[2 * i + 1], wr = w[2 * i], wi = w[2 * i + 1]
                    numerator[2 * i] += or * wr + oi * wi
                    numerator[2 * i + 1] += or * wi - oi * wr
                }
            }
        }
    }
}

/// Per-worker scratch for the kernels' per-pixel terms: `frame` holds one frame (`n` floats), `rowA` to
/// `rowD` one row each (`rowC`, `rowD`: the per-pixel steps of the regularised PIE update).
public struct KernelScratch {
    public let frame: UnsafeMutablePointer<Float>
    public let rowA: UnsafeMutablePointer<Float>
    public let rowB: UnsafeMutablePointer<Float>
    public let rowC: UnsafeMutablePointer<Float>
    public let rowD: UnsafeMutablePointer<Float>

    public init(frame: UnsafeMutablePointer<Float>, rowA: UnsafeMutablePointer<Float>, rowB: UnsafeMutablePointer<Float>,
                rowC: UnsafeMutablePointer<Float>, rowD: UnsafeMutablePointer<Float>) {
        self.frame = frame
        self.rowA = rowA
        self.rowB = rowB
        self.rowC = rowC
        self.rowD = rowD
    }
}

/// Sums and maxima with eight independent accumulators, which the compiler packs into vector registers
/// (a single running float sum is a dependency chain it may not reorder).
public enum Reduction {
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
        var i = 0
        while i + 8 <= count {
            s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]
            s4 += x[i + 4]; s5 += x[i + 5]; s6 += x[i + 6]; s7 += x[i + 7]
            i += 8
        }
        var total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        while i < count { total += x[i]; i += 1 }
        return total
    }

    @inlinable
    public static func maximum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var m0: Float = 0, m1: Float = 0, m2: Float = 0, m3: Float = 0
        var m4: Float = 0, m5: Float = 0, m6: Float = 0, m7: Float = 0
        var i = 0
        while i + 8 <= count {
            m0 = max(m0, x[i]); m1 = max(m1, x[i + 1]); m2 = max(m2, x[i + 2]); m3 = max(m3, x[i + 3])
            m4 = max(m4, x[i + 4]); m5 = max(m5, x[i + 5]); m6 = max(m6, x[i + 6]); m7 = max(m7, x[i + 7])
            i += 8
        }
        var result = max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))
        while i < count { result = max(result, x[i]); i += 1 }
        return result
    }
}

/// The object patch under one frame: row `r` of the patch starts at `object + 2·((row + r)·W + column)`.
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
