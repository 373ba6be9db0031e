import CFFTW

extension FrameKernels {
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
    /// m·I/Î is added to `backgroundRatios` for B's refinement.
    ///
    /// One pass over the frame computes √Î and the metric terms eight pixels at a time (`Lanes`); the exact
    /// projection scales those pixels right there, the relaxed one needs the frame's residual first and
    /// scales in a second pass. Explicit vectors because this pass is bound by arithmetic (a square root,
    /// a division and a logarithm per pixel): the logarithm is `fastLogarithm`'s division-free polynomial,
    /// the square root one instruction (`ptychite_sqrt8`), and the per-mode scaling multiplies the
    /// interleaved far field by the factor duplicated into (re, im) pairs instead of splitting the field.
    ///
    /// The exact projection works row by row, so it can be given a band of `rows` (all by default; the
    /// metrics then hold that band's sums); the relaxed one needs the whole frame.
    ///
    /// Returns false when the relaxed projection found the frame within its bound and left the far field
    /// exactly as it was (not even scaled by 1/n): its inverse transform would only give back the input
    /// wave, which the caller rebuilds instead (`CPUFrameWorker.propagateBackward`). Once DM has reached
    /// its power-bounded fixed point every frame is such a frame (on simulated data from iteration ~30–70
    /// of 200), so its later iterations cost a forward transform per frame instead of a pair.
    @discardableResult
    public static func modulusProjection(farField: UnsafeMutablePointer<Float>,
                                         amplitudes: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                                         shape: FrameShape, noiseBound: Float, scratch: KernelScratch,
                                         metrics: inout FourierMetrics, background: UnsafePointer<Float>? = nil,
                                         backgroundRatios: UnsafeMutablePointer<Float>? = nil,
                                         rows: Range<Int>? = nil) -> Bool {
        let n = shape.pixels, width = shape.width, modes = shape.modes
        let inverseN = 1 / Float(n), inverse = Lanes(repeating: inverseN), one = Lanes(repeating: 1)
        let guardTerm = Lanes(repeating: epsilon), floor = Lanes(repeating: tiny), scale = Lanes(repeating: Float(n))
        let relaxed = noiseBound > 0
        precondition(!relaxed || rows == nil, "the relaxed modulus projection needs the whole frame")
        var residual: Float = 0, likelihood: Float = 0
        for r in rows ?? 0..<shape.height {
            let start = r * width
            let row = farField + 2 * start, a = amplitudes + start, m = mask + start, roots = scratch.frame + start
            // Whole frames only: a band's prefetch would pull the next band's rows into this core's cache,
            // from which another core then has to fetch them (measured: ePIE and mPIE ~5 % slower).
            if rows == nil { StreamPrefetch.ahead(of: a, count: width) }
            // Σ_k |Ψ_k|² of the row (plus B·n), then √Î in place: short loops without branches, in L1.
            forEachLanes(width) { i, lanes in
                let (re, im) = Lanes.loadComplex(row + 2 * i, lanes)
                (re * re).addingProduct(im, im).store(roots + i, lanes)
            }
            for k in 1..<max(1, modes) {
                forEachLanes(width) { i, lanes in
                    let (re, im) = Lanes.loadComplex(row + 2 * (k * n + i), lanes)
                    Lanes.load(roots + i, lanes).addingProduct(re, re).addingProduct(im, im).store(roots + i, lanes)
                }
            }
            if let background {
                forEachLanes(width) { i, lanes in
                    Lanes.load(roots + i, lanes).addingProduct(Lanes.load(background + start + i, lanes), scale)
                        .store(roots + i, lanes)
                }
            }
            if let backgroundRatios {
                forEachLanes(width) { i, lanes in
                    let amplitude = Lanes.load(a + i, lanes), weight = Lanes.load(m + i, lanes)
                    let q = backgroundRatios + start + i, intensity = Lanes.load(roots + i, lanes) * inverse
                    Lanes.load(q, lanes).addingProduct(weight, amplitude * amplitude / (intensity + floor)).store(q, lanes)
                }
            }
            var rowResidual = Lanes(), rowLikelihood = Lanes()
            forEachLanes(width) { i, lanes in
                let amplitude = Lanes.load(a + i, lanes), weight = Lanes.load(m + i, lanes)
                let intensity = Lanes.load(roots + i, lanes) * inverse, root = intensity.squareRootLanes()
                let difference = root - amplitude
                rowResidual = rowResidual.addingProduct(weight * difference, difference)
                // I·ln Î only where some pixel counted photons: far from the centre most do not (same sum).
                var term = intensity
                if any(amplitude .> Lanes()) { term -= amplitude * amplitude * fastLogarithm(intensity + floor) }
                rowLikelihood = rowLikelihood.addingProduct(weight, term)
                // The exact projection keeps the factor instead of √Î (the row is still in L1).
                let factor = relaxed ? root : (weight * amplitude / (root + guardTerm) + (one - weight)) * inverse
                factor.store(roots + i, lanes)
            }
            residual += rowResidual.sum()
            likelihood += rowLikelihood.sum()
            if !relaxed { scaleModes(row, by: roots, modes: modes, modeStride: 2 * n, count: width) }
        }
        metrics.amplitudeResidual += Double(residual)
        metrics.likelihood += Double(likelihood)
        guard relaxed else { return true }
        if residual <= noiseBound { return false }
        let shrink = Lanes(repeating: ptychite_sqrt(noiseBound / residual))
        for r in 0..<shape.height {
            let start = r * width
            let a = amplitudes + start, m = mask + start, roots = scratch.frame + start
            forEachLanes(width) { i, lanes in
                let amplitude = Lanes.load(a + i, lanes), weight = Lanes.load(m + i, lanes)
                let root = Lanes.load(roots + i, lanes)
                let target = amplitude.addingProduct(root - amplitude, shrink)
                ((weight * target / (root + guardTerm) + (one - weight)) * inverse).store(roots + i, lanes)
            }
            scaleModes(farField + 2 * start, by: roots, modes: modes, modeStride: 2 * n, count: width)
        }
        return true
    }

    /// Denominator guard of the modulus factor, and the floor that keeps ln Î finite.
    @usableFromInline static let epsilon: Float = 1e-7
    @usableFromInline static let tiny: Float = 1e-30

    /// Multiplies `count` interleaved pixels of every mode (modes `modeStride` floats apart) by `factor`,
    /// duplicated into (re, im) pairs, so the far field is never split into real and imaginary parts.
    @usableFromInline
    static func scaleModes(_ wave: UnsafeMutablePointer<Float>, by factor: UnsafePointer<Float>, modes: Int,
                           modeStride: Int, count: Int) {
        for k in 0..<modes {
            let f = wave + k * modeStride
            forEachLanes(count) { i, lanes in
                let scale = Lanes.load(factor + i, lanes)
                if lanes == 8 {
                    let p = UnsafeMutableRawPointer(f + 2 * i)
                    p.storeBytes(of: p.loadUnaligned(as: SIMD16<Float>.self) * Lanes.interleave(scale, scale),
                                 as: SIMD16<Float>.self)
                } else {
                    for t in 0..<lanes { f[2 * (i + t)] *= scale[t]; f[2 * (i + t) + 1] *= scale[t] }
                }
            }
        }
    }
}
