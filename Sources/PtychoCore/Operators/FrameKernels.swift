import CFFTW

/// The element-wise passes over one frame that every engine is built from, on raw interleaved complex
/// storage. Each pass touches one frame (and the object patch under it), so it runs from cache. The
/// projection engines' update and probe sums use planar probe, object and sums (`FrameKernels+Planar`),
/// the modulus projection explicit vectors (`FrameKernels+Modulus`).
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
    /// `output_k = c·P_k·O + (1 − c)·ψ_k` for every mode, on the frame's `rows` (all by default). Without
    /// stored exit waves this is the plain exit wave P_k·O; DM(α) uses `c = 1 + α`, RAAR `c = 2`.
    @inlinable
    public static func combineExitWaves(probe: UnsafePointer<Float>, patch: ObjectPatch,
                                        exitWaves: UnsafePointer<Float>?, weight c: Float,
                                        output: UnsafeMutablePointer<Float>, shape: FrameShape,
                                        rows: Range<Int>? = nil) {
        let width = shape.width, keep = 1 - c
        for r in rows ?? 0..<shape.height {
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
