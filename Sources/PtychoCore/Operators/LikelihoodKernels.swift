import CFFTW

/// The noise model of the maximum-likelihood engine: the per-pixel objective f(Î; I) summed over good
/// pixels, Î = Σ_k |Ψ_k|² the model intensity (unitary transform), I the measured counts.
public enum LikelihoodNoiseModel: String, Sendable, Codable, CaseIterable {
    /// f = Î − I·ln Î (Poisson negative log-likelihood without the data-only ln Γ(I+1)).
    case poisson
    /// f = (√Î − √I)² (Gaussian noise of constant variance on the amplitude; the Fourier error's numerator).
    case gaussian
}

/// Element-wise passes of the maximum-likelihood engine (Thibault & Guizar-Sicairos, New J. Phys. 14,
/// 063004 (2012)) over one frame, on far fields from the unnormalised forward FFT (so Î = Σ_k|X_k|²/n).
/// Same conventions as `FrameKernels`: per-pixel terms are added element-wise into scratch rows and reduced
/// once per frame in Float; callers add the frame's sums across frames in Double. Nothing here allocates.
///
/// Gradients are real gradients of a real objective in complex notation, g = 2·∂L/∂z*, so that the change
/// of L along a direction d is Re Σ conj(g)·d.
public enum LikelihoodKernels {
    /// Replaces each mode's far field X_k by 2·m·f′(Î)·X_k / n, which the unnormalised inverse FFT turns into
    /// the exit-wave gradient g_ψk = 2·F⁻¹[m·f′(Î)·Ψ_k] (Thibault & Guizar-Sicairos 2012; for
    /// Poisson, f′ = 1 − I/Î; Gaussian-on-amplitude f′ = 1 − √I/√Î). Î is floored at `intensityFloor`
    /// inside f′ so that a pixel with counts and no model intensity gives a large but finite pull.
    /// Adds the frame's Σ m(√Î − √I)² and Σ m(Î − I·ln Î) of the current iterate to `metrics`. Each row
    /// of the far field is first copied to `keeping` (the line search's `LikelihoodBuffers.farFields`),
    /// a row at a time while it is in L1, with non-temporal stores (`StreamingStore`).
    ///
    /// With an incoherent `background` B (`IncoherentBackground`) the model is Î = Σ_k|X_k|²/n + B: B enters
    /// f′ and the metrics (∂Î/∂X_k* is unchanged), and m·I/Î is added to `backgroundRatios` for B's
    /// refinement, as the modulus projection does.
    public static func weightGradient(farField: UnsafeMutablePointer<Float>, amplitudes: UnsafePointer<Float>,
                                      mask: UnsafePointer<Float>, shape: FrameShape, noise: LikelihoodNoiseModel,
                                      intensityFloor: Float, scratch: KernelScratch, metrics: inout FourierMetrics,
                                      background: UnsafePointer<Float>? = nil,
                                      backgroundRatios: UnsafeMutablePointer<Float>? = nil,
                                      keeping copy: UnsafeMutablePointer<Float>) {
        let n = shape.pixels, width = shape.width, modes = shape.modes
        let inverseN = 1 / Float(n), twiceInverseN = 2 / Float(n)
        let residualTerms = scratch.rowA, likelihoodTerms = scratch.rowB
        residualTerms.update(repeating: 0, count: width)
        likelihoodTerms.update(repeating: 0, count: width)
        for r in 0..<shape.height {
            let start = r * width
            let row = farField + 2 * start
            let factor = scratch.frame + start
            for k in 0..<modes {
                let offset = 2 * (k * n + start)
                StreamingStore.copy(farField + offset, to: copy + offset, count: 2 * width)
            }
            FrameKernels.modePower(row, modes: modes, modeStride: 2 * n, count: width, into: factor)
            let a = amplitudes + start, m = mask + start
            StreamPrefetch.ahead(of: a, count: width)
            if let background {
                let b = background + start
                for i in 0..<width { factor[i] = factor[i] * inverseN + b[i] }
            } else {
                for i in 0..<width { factor[i] *= inverseN }
            }
            if let backgroundRatios {
                let q = backgroundRatios + start
                for i in 0..<width { q[i] += m[i] * a[i] * a[i] / (factor[i] + FrameKernels.tiny) }
            }
            for i in 0..<width {
                let intensity = factor[i], root = ptychite_sqrt(intensity)
                let difference = root - a[i]
                residualTerms[i] += m[i] * difference * difference
                likelihoodTerms[i] += m[i] * (intensity - a[i] * a[i] * fastLogarithm(intensity + FrameKernels.tiny))
                factor[i] = max(intensity, intensityFloor)
            }
            switch noise {
            case .poisson:
                for i in 0..<width { factor[i] = twiceInverseN * m[i] * (1 - a[i] * a[i] / factor[i]) }
            case .gaussian:
                for i in 0..<width { factor[i] = twiceInverseN * m[i] * (1 - a[i] / ptychite_sqrt(factor[i])) }
            }
            FrameKernels.scaleModes(row, by: factor, modes: modes, modeStride: 2 * n, count: width)
        }
        StreamingStore.fence()
        metrics.amplitudeResidual += Double(Reduction.sum(residualTerms, width))
        metrics.likelihood += Double(Reduction.sum(likelihoodTerms, width))
    }

    /// Chain rule through ψ_jk = P_k·O_j: adds g_O = Σ_k P_k*·g_ψk at the frame's patch of the object
    /// gradient sum and Σ_k |P_k|² to the object curvature sum; with `includeProbe` also g_Pk = O_j*·g_ψk
    /// to the probe gradient sum and |O_j|² to the probe curvature sum. `gradient` holds g_ψ (the output of
    /// `weightGradient` after the inverse FFT). Uses the overlap-sum layout of `OverlapAccumulators`.
    /// With `keeping`, each row of g_ψ is also copied there (`LikelihoodBuffers.exitWaveGradients`), a
    /// row at a time while it is in L1, with non-temporal stores (`StreamingStore`).
    public static func accumulateGradient(gradient: UnsafePointer<Float>, probe: UnsafePointer<Float>,
                                          patch: ObjectPatch, shape: FrameShape, includeProbe: Bool,
                                          accumulators acc: OverlapAccumulators,
                                          keeping copy: UnsafeMutablePointer<Float>? = nil) {
        let width = shape.width
        for r in 0..<shape.height {
            if let copy {
                for k in 0..<shape.modes {
                    let offset = 2 * (k * shape.pixels + r * width)
                    StreamingStore.copy(gradient + offset, to: copy + offset, count: 2 * width)
                }
            }
            let o = UnsafePointer(patch.rowStart(r))
            let objectRow = (patch.row + r) * acc.objectWidth + patch.column
            let objectGradient = acc.objectNumerator + 2 * objectRow
            let objectCurvature = acc.objectDenominator + objectRow
            for k in 0..<shape.modes {
                let offset = 2 * (k * shape.pixels + r * width)
                let p = probe + offset, g = gradient + offset
                guard includeProbe else {
                    for i in 0..<width {
                        let pr = p[2 * i], pi = p[2 * i + 1], gr = g[2 * i], gi = g[2 * i + 1]
                        objectGradient[2 * i] += pr * gr + pi * gi
                        objectGradient[2 * i + 1] += pr * gi - pi * gr
                        objectCurvature[i] += pr * pr + pi * pi
                    }
                    continue
                }
                // Both gradients in one pass, while g, P and O are in registers.
                let probeGradient = acc.probeNumerator + offset
                for i in 0..<width {
                    let pr = p[2 * i], pi = p[2 * i + 1], gr = g[2 * i], gi = g[2 * i + 1]
                    let or = o[2 * i], oi = o[2 * i + 1]
                    objectGradient[2 * i] += pr * gr + pi * gi
                    objectGradient[2 * i + 1] += pr * gi - pi * gr
                    objectCurvature[i] += pr * pr + pi * pi
                    probeGradient[2 * i] += or * gr + oi * gi
                    probeGradient[2 * i + 1] += or * gi - oi * gr
                }
            }
            guard includeProbe else { continue }
            let probeCurvature = acc.probeDenominator + r * width
            for i in 0..<width { probeCurvature[i] += o[2 * i] * o[2 * i] + o[2 * i + 1] * o[2 * i + 1] }
        }
        if copy != nil { StreamingStore.fence() }
    }

    /// The exit wave along the search direction (ΔO, ΔP) is bilinear in the step γ:
    /// (P + γΔP)(O + γΔO) = P·O + γ·(P·ΔO + ΔP·O) + γ²·ΔP·ΔO. Writes the direction's terms per mode into
    /// `first` and (when `probeDirection` is given) `second`; without a probe direction the second-order
    /// term is zero and is not written. The zeroth-order term P·O is not needed: its far field is kept
    /// from the gradient sweep.
    ///
    /// With `exitWaveGradient` (g_ψ of this frame, kept by the gradient sweep) the second-order term is
    /// not written: its only use is L″'s Σ_r m·2f′(Î)·2Re(X̄·A2)/n (see `lineSearchTerms`), which is
    /// 2·Re Σ_r conj(W)·F[ΔP·ΔO] with W = 2m·f′(Î)·X/n the weighted far field whose unnormalised inverse
    /// transform is g_ψ, and so by Parseval 2·Re Σ_x conj(g_ψ)·ΔP·ΔO in real space, with no transform.
    /// Returns that sum over the frame's pixels and modes (0 without `exitWaveGradient`); the first two
    /// rows of `scratch.frame` hold its per-pixel terms.
    @discardableResult
    public static func combineSearchWaves(probe: UnsafePointer<Float>, patch: ObjectPatch,
                                          probeDirection: UnsafePointer<Float>?, objectDirection: ObjectPatch,
                                          first: UnsafeMutablePointer<Float>, second: UnsafeMutablePointer<Float>?,
                                          exitWaveGradient: UnsafePointer<Float>? = nil, scratch: KernelScratch,
                                          shape: FrameShape) -> Float {
        let width = shape.width
        precondition(probeDirection == nil || second != nil || exitWaveGradient != nil,
                     "the second-order term needs a wave to go to or a kept gradient")
        let terms = scratch.frame
        if exitWaveGradient != nil {
            precondition(shape.height >= 2, "the second-order sum needs two scratch rows")
            terms.update(repeating: 0, count: 2 * width)
        }
        for r in 0..<shape.height {
            let o = UnsafePointer(patch.rowStart(r)), h = UnsafePointer(objectDirection.rowStart(r))
            for k in 0..<shape.modes {
                let offset = 2 * (k * shape.pixels + r * width)
                let p = probe + offset, f = first + offset
                if let probeDirection, let exitWaveGradient {
                    let d = probeDirection + offset, g = exitWaveGradient + offset
                    StreamPrefetch.ahead(of: g, count: 2 * width)
                    for i in 0..<width {
                        let pr = p[2 * i], pi = p[2 * i + 1], or = o[2 * i], oi = o[2 * i + 1]
                        let hr = h[2 * i], hi = h[2 * i + 1], dr = d[2 * i], di = d[2 * i + 1]
                        f[2 * i] = (pr * hr - pi * hi) + (dr * or - di * oi)
                        f[2 * i + 1] = (pr * hi + pi * hr) + (dr * oi + di * or)
                        // Re(conj(g)·ΔP·ΔO), in two lanes of the row's terms (even, odd).
                        terms[2 * i] += g[2 * i] * (dr * hr - di * hi)
                        terms[2 * i + 1] += g[2 * i + 1] * (dr * hi + di * hr)
                    }
                } else if let probeDirection, let second {
                    let d = probeDirection + offset, s = second + offset
                    for i in 0..<width {
                        let pr = p[2 * i], pi = p[2 * i + 1], or = o[2 * i], oi = o[2 * i + 1]
                        let hr = h[2 * i], hi = h[2 * i + 1], dr = d[2 * i], di = d[2 * i + 1]
                        f[2 * i] = (pr * hr - pi * hi) + (dr * or - di * oi)
                        f[2 * i + 1] = (pr * hi + pi * hr) + (dr * oi + di * or)
                        s[2 * i] = dr * hr - di * hi
                        s[2 * i + 1] = dr * hi + di * hr
                    }
                } else {
                    for i in 0..<width {
                        let pr = p[2 * i], pi = p[2 * i + 1], hr = h[2 * i], hi = h[2 * i + 1]
                        f[2 * i] = pr * hr - pi * hi
                        f[2 * i + 1] = pr * hi + pi * hr
                    }
                }
            }
        }
        return exitWaveGradient == nil ? 0 : 2 * Reduction.sum(terms, 2 * width)
    }

    /// The first and second derivative at γ = 0 of the frame's objective along the search direction, from
    /// the far fields X (current), A1 (first order) and A2 (second order, nil if zero) of
    /// Ψ(γ) = X + γ·A1 + γ²·A2. Per pixel Î(γ) = c0 + c1·γ + c2·γ² + O(γ³) with
    /// c0 = Σ_k|X_k|², c1 = 2·Re Σ_k X_k*·A1_k, c2 = Σ_k |A1_k|² + 2·Re Σ_k X_k*·A2_k (all /n), and the
    /// objective's expansion to second order (as Thibault & Guizar-Sicairos 2012 do for Poisson) is
    ///   L′(0) = Σ m·f′(c0)·c1,   L″(0) = Σ m·(2·f′(c0)·c2 + f″(c0)·c1²),
    /// with f′, f″ as in `weightGradient` (Poisson f″ = I/Î², Gaussian-on-amplitude f″ = √I/(2·Î^{3/2})),
    /// c0 (plus the `background` B, which does not move with γ) floored at `intensityFloor`. Returns
    /// (L′(0), L″(0)) of this frame.
    public static func lineSearchTerms(current: UnsafePointer<Float>, first: UnsafePointer<Float>,
                                       second: UnsafePointer<Float>?, amplitudes: UnsafePointer<Float>,
                                       mask: UnsafePointer<Float>, shape: FrameShape, noise: LikelihoodNoiseModel,
                                       intensityFloor: Float, scratch: KernelScratch,
                                       background: UnsafePointer<Float>? = nil) -> (Float, Float) {
        let n = shape.pixels, width = shape.width
        let inverseN = 1 / Float(n)
        precondition(shape.height >= 3, "line search needs three scratch rows")
        let firstTerms = scratch.rowA, secondTerms = scratch.rowB
        firstTerms.update(repeating: 0, count: width)
        secondTerms.update(repeating: 0, count: width)
        // Per-pixel c0, c1, c2 of the current row, summed over the modes.
        let c0 = scratch.frame, c1 = scratch.frame + width, c2 = scratch.frame + 2 * width
        for r in 0..<shape.height {
            for i in 0..<width { c0[i] = 0; c1[i] = 0; c2[i] = 0 }
            for k in 0..<shape.modes {
                let offset = 2 * (k * n + r * width)
                let x = current + offset, a1 = first + offset
                StreamPrefetch.ahead(of: x, count: 2 * width)
                for i in 0..<width {
                    let xr = x[2 * i], xi = x[2 * i + 1], ar = a1[2 * i], ai = a1[2 * i + 1]
                    c0[i] += xr * xr + xi * xi
                    c1[i] += 2 * (xr * ar + xi * ai)
                    c2[i] += ar * ar + ai * ai
                }
                if let second {
                    let a2 = second + offset
                    for i in 0..<width { c2[i] += 2 * (x[2 * i] * a2[2 * i] + x[2 * i + 1] * a2[2 * i + 1]) }
                }
            }
            let a = amplitudes + r * width, m = mask + r * width
            StreamPrefetch.ahead(of: a, count: width)
            // c0 becomes Î at γ = 0: c0/n + B.
            if let background {
                let b = background + r * width
                for i in 0..<width { c0[i] = c0[i] * inverseN + b[i] }
            } else {
                for i in 0..<width { c0[i] *= inverseN }
            }
            switch noise {
            case .poisson:
                for i in 0..<width {
                    let inverse = 1 / max(c0[i], intensityFloor), counts = a[i] * a[i]
                    let d1 = 1 - counts * inverse, d2 = counts * inverse * inverse
                    let g1 = c1[i] * inverseN, g2 = c2[i] * inverseN
                    firstTerms[i] += m[i] * d1 * g1
                    secondTerms[i] += m[i] * (2 * d1 * g2 + d2 * g1 * g1)
                }
            case .gaussian:
                for i in 0..<width {
                    let intensity = max(c0[i], intensityFloor), root = ptychite_sqrt(intensity)
                    let d1 = 1 - a[i] / root, d2 = a[i] / (2 * intensity * root)
                    let g1 = c1[i] * inverseN, g2 = c2[i] * inverseN
                    firstTerms[i] += m[i] * d1 * g1
                    secondTerms[i] += m[i] * (2 * d1 * g2 + d2 * g1 * g1)
                }
            }
        }
        return (Reduction.sum(firstTerms, width), Reduction.sum(secondTerms, width))
    }
}
