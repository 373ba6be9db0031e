extension FrameKernels {
    /// The PIE-family update with mixed-state modes, in place, from scratch = ψ' (ePIE: Maiden & Rodenburg
    /// 2009, eqs. 6–7; rPIE: Maiden, Johnson & Li, Optica 4, 736 (2017), eqs. 6–7):
    ///   Δ_k = ψ'_k − P_k·O
    ///   O   ← O   + α · Σ_k P_k*·Δ_k / ((1 − α_O)·Σ_k|P_k|² + α_O·max_r Σ_k|P_k|²)
    ///   P_k ← P_k + β · O*·Δ_k      / ((1 − α_P)·|O|²      + α_P·max_r |O|²)
    /// both from the values before this update (`beta` = 0 leaves the probe alone). α and β are ePIE's step
    /// sizes; α_O, α_P are rPIE's regularisation weights. With α_O = α_P = 1 the denominators are the
    /// maxima and this is ePIE exactly, bit for bit: the per-pixel step rows are then filled with ePIE's
    /// constant steps, so every product is the same float operation as in the ePIE-only kernel.
    /// `maxProbePower` is max_r Σ_k |P_k(r)|² of the probe as it is now; returns the same for the
    /// updated probe, so a sequential sweep never recomputes it.
    ///
    /// The per-pixel steps go into `scratch.rowC` (object) and `scratch.rowD` (probe) one row at a time;
    /// whether a step is constant (α = 1) or per pixel is decided outside the pixel loops.
    ///
    /// Every pixel's update depends only on that pixel and the two maxima, so the update can be given a
    /// band of `rows` (all by default) with `maxObjectPower`, max |O|² over the whole patch
    /// (`maximumObjectPower`, computed here when nil); it then returns the new probe's maximum over the band.
    @inlinable
    public static func pieUpdate(projected: UnsafePointer<Float>, probe: UnsafeMutablePointer<Float>,
                                 patch: ObjectPatch, alpha: Float, beta: Float,
                                 objectRegularisation: Float = 1, probeRegularisation: Float = 1,
                                 maxProbePower: Float, shape: FrameShape, scratch: KernelScratch,
                                 maxObjectPower knownMaxObjectPower: Float? = nil, rows: Range<Int>? = nil) -> Float {
        let width = shape.width, rows = rows ?? 0..<shape.height
        let maxProbe = max(maxProbePower, .leastNormalMagnitude)
        let objectStep = alpha / maxProbe
        var maxObjectPower: Float = 0
        var probeStep: Float = 0
        if beta != 0 {
            maxObjectPower = max(knownMaxObjectPower ?? maximumObjectPower(patch: patch, shape: shape, scratch: scratch),
                                 .leastNormalMagnitude)
            probeStep = beta / maxObjectPower
        }
        let uniformObjectStep = objectRegularisation == 1
        let uniformProbeStep = probeRegularisation == 1 || beta == 0
        let changeRe = scratch.rowA, changeIm = scratch.rowB
        let objectSteps = scratch.rowC, probeSteps = scratch.rowD
        for r in rows {
            let o = patch.rowStart(r)
            let power = scratch.frame + r * width
            if uniformObjectStep {
                for i in 0..<width { objectSteps[i] = objectStep }
            } else {
                // rPIE: (1 − α_O)·Σ_k|P_k|² + α_O·max — full steps where the probe is bright, damped
                // where it is dim instead of ePIE's uniformly small step.
                Self.modePower(probe + 2 * r * width, modes: shape.modes, modeStride: 2 * shape.pixels,
                               count: width, into: objectSteps)
                let keep = 1 - objectRegularisation, floor = objectRegularisation * maxProbe
                for i in 0..<width {
                    objectSteps[i] = alpha / max(keep * objectSteps[i] + floor, .leastNormalMagnitude)
                }
            }
            if uniformProbeStep {
                for i in 0..<width { probeSteps[i] = probeStep }
            } else {
                let keep = 1 - probeRegularisation, floor = probeRegularisation * maxObjectPower
                for i in 0..<width {
                    let objectPower = o[2 * i] * o[2 * i] + o[2 * i + 1] * o[2 * i + 1]
                    probeSteps[i] = beta / max(keep * objectPower + floor, .leastNormalMagnitude)
                }
            }
            for i in 0..<width { changeRe[i] = 0; changeIm[i] = 0; power[i] = 0 }
            for k in 0..<shape.modes {
                let offset = 2 * (k * shape.pixels + r * width)
                let p = probe + offset, f = projected + offset, old = UnsafePointer(o)
                for i in 0..<width {
                    let pr = p[2 * i], pi = p[2 * i + 1], or = old[2 * i], oi = old[2 * i + 1]
                    let dRe = f[2 * i] - (pr * or - pi * oi), dIm = f[2 * i + 1] - (pr * oi + pi * or)
                    changeRe[i] += pr * dRe + pi * dIm
                    changeIm[i] += pr * dIm - pi * dRe
                    let npr = pr + probeSteps[i] * (or * dRe + oi * dIm)
                    let npi = pi + probeSteps[i] * (or * dIm - oi * dRe)
                    p[2 * i] = npr
                    p[2 * i + 1] = npi
                    power[i] += npr * npr + npi * npi
                }
            }
            for i in 0..<width {
                o[2 * i] += objectSteps[i] * changeRe[i]
                o[2 * i + 1] += objectSteps[i] * changeIm[i]
            }
        }
        return Reduction.maximum(scratch.frame + rows.lowerBound * width, rows.count * width)
    }

    /// max |O|² over the patch's `rows` (all by default), through `scratch.rowA`.
    @inlinable
    public static func maximumObjectPower(patch: ObjectPatch, shape: FrameShape, scratch: KernelScratch,
                                          rows: Range<Int>? = nil) -> Float {
        let width = shape.width
        var maximum: Float = 0
        for r in rows ?? 0..<shape.height {
            let o = UnsafePointer(patch.rowStart(r))
            for i in 0..<width { scratch.rowA[i] = o[2 * i] * o[2 * i] + o[2 * i + 1] * o[2 * i + 1] }
            maximum = max(maximum, Reduction.maximum(scratch.rowA, width))
        }
        return maximum
    }
}
