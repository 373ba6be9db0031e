/// The projection engines' passes over one frame with planar probe, object and overlap sums
/// (`PlanarModel`, `PlanarAccumulators`); only the stored exit waves ψ and the frame scratch are interleaved.
/// Written with explicit vectors (`Lanes`): products are fused (one rounding instead of two), and no
/// shuffles are spent on the planar arrays. Until this change the interleaved versions of these kernels
/// ran; the results differ from theirs only by rounding.
extension FrameKernels {
    /// `output_k = c·P_k·O + (1 − c)·ψ_k` for every mode (see `combineExitWaves`).
    static func combineExitWaves(probe: PlanarModel, patch: PlanarPatch, exitWaves psi: UnsafePointer<Float>,
                                 weight c: Float, output: UnsafeMutablePointer<Float>, shape: FrameShape) {
        let width = shape.width, n = shape.pixels, keep = Lanes(repeating: 1 - c), weight = Lanes(repeating: c)
        for r in 0..<shape.height {
            let (objectRe, objectIm) = patch.row(r)
            for k in 0..<shape.modes {
                let (probeRe, probeIm) = probe.probeRow(k, r)
                let w = psi + 2 * (k * n + r * width), out = output + 2 * (k * n + r * width)
                StreamPrefetch.ahead(of: w, count: 2 * width)
                forEachLanes(width) { i, lanes in
                    let (poRe, poIm) = probeTimesObject(probeRe, probeIm, objectRe, objectIm, i, lanes)
                    let (wr, wi) = Lanes.loadComplex(w + 2 * i, lanes)
                    Lanes.storeComplex((keep * wr).addingProduct(weight, poRe), (keep * wi).addingProduct(weight, poIm),
                                       out + 2 * i, lanes)
                }
            }
        }
    }

    /// The generalised projection update of the stored exit waves (PtyPy's form of DM/RAAR/AP):
    /// `ψ ← ψ + b·ψ_F + a·P·O − (a + b)·ψ`, where ψ_F is the Fourier-projected wave in `projected`.
    /// Also adds the object's overlap sums Σ_k P_k*ψ_k and Σ_k |P_k|² (from `probe.probePower`) from the
    /// new ψ at the patch (`row`, `column`), in the same pass (the new ψ is still in registers).
    /// Returns Σ |ψ_F − P·O|² over the frame: by Parseval an upper bound of the amplitude residual of P·O
    /// itself (ψ_F satisfies the modulus constraint), tight at a fixed point, so DM can report the error of
    /// its current estimate without another transform.
    static func updateExitWaves(exitWaves psi: UnsafeMutablePointer<Float>, projected: UnsafePointer<Float>,
                                probe: PlanarModel, patch: PlanarPatch, row: Int, column: Int, a: Float, b: Float,
                                shape: FrameShape, accumulators acc: PlanarAccumulators) -> Float {
        let width = shape.width, n = shape.pixels
        let av = Lanes(repeating: a), bv = Lanes(repeating: b), keep = Lanes(repeating: -(a + b))
        // Per-row partial sums, then the frame's: the order of the interleaved kernel's column sums.
        var distance: Float = 0
        for r in 0..<shape.height {
            let (objectRe, objectIm) = patch.row(r)
            let objectRow = (row + r) * acc.objectWidth + column
            let numeratorRe = acc.objectNumerator + objectRow, numeratorIm = numeratorRe + acc.objectPixels
            let denominator = acc.objectDenominator + objectRow, power = probe.probePower.pointer + r * width
            forEachLanes(width) { i, lanes in
                (Lanes.load(denominator + i, lanes) + Lanes.load(power + i, lanes)).store(denominator + i, lanes)
            }
            var rowDistance = Lanes()
            for k in 0..<shape.modes {
                let (probeRe, probeIm) = probe.probeRow(k, r)
                let w = psi + 2 * (k * n + r * width), f = projected + 2 * (k * n + r * width)
                forEachLanes(width) { i, lanes in
                    let pr = Lanes.load(probeRe + i, lanes), pi = Lanes.load(probeIm + i, lanes)
                    let (poRe, poIm) = probeTimesObject(probeRe, probeIm, objectRe, objectIm, i, lanes)
                    let (fr, fi) = Lanes.loadComplex(f + 2 * i, lanes)
                    let dr = fr - poRe, di = fi - poIm
                    rowDistance = rowDistance.addingProduct(dr, dr).addingProduct(di, di)
                    var (wr, wi) = Lanes.loadComplex(w + 2 * i, lanes)
                    wr = wr.addingProduct(keep, wr).addingProduct(bv, fr).addingProduct(av, poRe)
                    wi = wi.addingProduct(keep, wi).addingProduct(bv, fi).addingProduct(av, poIm)
                    Lanes.storeComplex(wr, wi, w + 2 * i, lanes)
                    Lanes.load(numeratorRe + i, lanes).addingProduct(pr, wr).addingProduct(pi, wi).store(numeratorRe + i, lanes)
                    Lanes.load(numeratorIm + i, lanes).addingProduct(pr, wi).addingProduct(-pi, wr).store(numeratorIm + i, lanes)
                }
            }
            distance += rowDistance.sum()
        }
        return distance
    }

    /// Adds one frame's probe overlap sums, O_j*ψ_jk and |O_j|², from the stored exit waves and the
    /// (already updated) object.
    static func accumulateProbeSums(exitWaves psi: UnsafePointer<Float>, patch: PlanarPatch, shape: FrameShape,
                                    accumulators acc: PlanarAccumulators) {
        let width = shape.width, n = shape.pixels
        for r in 0..<shape.height {
            let (objectRe, objectIm) = patch.row(r)
            let denominator = acc.probeDenominator + r * width
            forEachLanes(width) { i, lanes in
                let or = Lanes.load(objectRe + i, lanes), oi = Lanes.load(objectIm + i, lanes)
                Lanes.load(denominator + i, lanes).addingProduct(or, or).addingProduct(oi, oi).store(denominator + i, lanes)
            }
            for k in 0..<shape.modes {
                let w = psi + 2 * (k * n + r * width)
                let numeratorRe = acc.probeNumerator + 2 * k * n + r * width, numeratorIm = numeratorRe + n
                StreamPrefetch.ahead(of: w, count: 2 * width)
                forEachLanes(width) { i, lanes in
                    let or = Lanes.load(objectRe + i, lanes), oi = Lanes.load(objectIm + i, lanes)
                    let (wr, wi) = Lanes.loadComplex(w + 2 * i, lanes)
                    Lanes.load(numeratorRe + i, lanes).addingProduct(or, wr).addingProduct(oi, wi).store(numeratorRe + i, lanes)
                    Lanes.load(numeratorIm + i, lanes).addingProduct(or, wi).addingProduct(-oi, wr).store(numeratorIm + i, lanes)
                }
            }
        }
    }

    /// P·O at pixels i ..< i + lanes of a planar probe row and object row, with fused products.
    @inline(__always)
    static func probeTimesObject(_ probeRe: UnsafePointer<Float>, _ probeIm: UnsafePointer<Float>,
                                 _ objectRe: UnsafePointer<Float>, _ objectIm: UnsafePointer<Float>,
                                 _ i: Int, _ lanes: Int) -> (re: Lanes, im: Lanes) {
        let or = Lanes.load(objectRe + i, lanes), oi = Lanes.load(objectIm + i, lanes)
        let pr = Lanes.load(probeRe + i, lanes), pi = Lanes.load(probeIm + i, lanes)
        return ((pr * or).addingProduct(-pi, oi), (pr * oi).addingProduct(pi, or))
    }
}
