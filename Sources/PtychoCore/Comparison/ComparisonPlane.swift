/// Two-dimensional views and crops shared by the truth-comparison code.
///
/// Comparison works on one complex plane: an `[H, W]` array, or the first slice of a `[k, H, W]` array
/// (the dominant object mode). Crops are fresh 64-byte-aligned arrays so FFTW plans apply to them.
enum ComparisonPlane {
    /// `(height, width)` of the plane `shape` holds, or nil when it is neither `[H, W]` nor `[k, H, W]`.
    static func extent(of shape: [Int]) -> (height: Int, width: Int)? {
        switch shape.count {
        case 2 where shape[0] > 0 && shape[1] > 0: return (shape[0], shape[1])
        case 3 where shape[0] > 0 && shape[1] > 0 && shape[2] > 0: return (shape[1], shape[2])
        default: return nil
        }
    }

    /// Copies `rows × columns` of the first plane of `source` (plane width `sourceWidth`) into `[h, w]`.
    static func crop(_ source: ComplexArray, sourceWidth: Int,
                     rows: Range<Int>, columns: Range<Int>) -> ComplexArray {
        let out = ComplexArray(shape: [rows.count, columns.count])
        let src = source.slice(0), dst = out.pointer
        for (i, r) in rows.enumerated() {
            (dst + 2 * i * columns.count).update(from: src + 2 * (r * sourceWidth + columns.lowerBound),
                                                 count: 2 * columns.count)
        }
        return out
    }

    /// Real-valued counterpart of `crop(_:sourceWidth:rows:columns:)`, returned as a flat array.
    static func crop(real source: RealArray, sourceWidth: Int,
                     rows: Range<Int>, columns: Range<Int>) -> [Float] {
        var out = [Float](repeating: 0, count: rows.count * columns.count)
        let src = source.slice(0)
        for (i, r) in rows.enumerated() {
            for (j, c) in columns.enumerated() { out[i * columns.count + j] = src[r * sourceWidth + c] }
        }
        return out
    }

    /// Signed FFT frequency (numpy's `fftfreq · n`) of index `q` in a transform of length `n`.
    @inline(__always) static func signedFrequency(_ q: Int, _ n: Int) -> Int { q < (n + 1) / 2 ? q : q - n }

    /// Σ weight·z over the plane in double precision, `weight` nil meaning 1 everywhere.
    static func weightedSum(_ a: ComplexArray, weight: [Float]?) -> (re: Double, im: Double) {
        var re = 0.0, im = 0.0
        let p = a.pointer
        for i in 0..<a.count {
            let w = Double(weight?[i] ?? 1)
            re += w * Double(p[2 * i]); im += w * Double(p[2 * i + 1])
        }
        return (re, im)
    }
}
