import CFFTW

/// Software prefetch for the passes that stream a frame-sized array from memory once per sweep: DM's (and
/// RAAR's, AP's) exit waves in the combine and probe-sum passes, the measured amplitudes in the modulus
/// projection of whole frames and in ML's passes, and ML's kept far fields and exit-wave gradients (read
/// by the line search; the gradient pass writes them with `StreamingStore`).
///
/// Why: these passes do little arithmetic per byte, and perf put ~70 % of the combine pass's samples on
/// the exit-wave load: the hardware prefetchers did not keep the stream ahead of the loop. At every row a
/// pass now asks for the row `distance` bytes further on — later rows of the same frame, or, near its end,
/// the first rows of the next frame, which the worker visits next (past the array's last frame the request
/// is harmless: a prefetch never faults). Measured with `PtychoBenchmarks --wisdom` (1000 × 128², 2
/// threads, the same FFTW plan for both builds, alternated): DM 2.00–2.09 → 1.77–1.83× its FFT floor and
/// ML 3.10–3.16 → 2.94–3.05 (RAAR and AP as DM); see Benchmarks/README.md.
enum StreamPrefetch {
    /// How far ahead of the row in use: 8 KiB, eight rows of a complex frame 128 pixels wide.
    static let distance = 8192

    /// Asks for the `count` floats that start `distance` bytes after `row`, to be read.
    @inline(__always) static func ahead(of row: UnsafePointer<Float>, count: Int) {
        ptychite_prefetch(row, distance, 4 * count)
    }
}
