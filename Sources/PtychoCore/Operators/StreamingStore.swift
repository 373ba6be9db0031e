import CFFTW

/// Copies into the frame-indexed arrays that one sweep fills and only a later sweep reads back: ML's kept
/// far fields and exit-wave gradients (each the size of DM's exit waves, far beyond the caches).
///
/// Why: a plain store first reads the destination's cache line from memory (read-for-ownership), so a
/// copy into an array that is not cached moves its bytes twice; non-temporal stores write the lines
/// without reading them and without evicting what the sweep still uses. Nothing reads the copy before the
/// sweep ends, so `fence` once per frame is enough to order the stores (they are weakly ordered).
enum StreamingStore {
    /// `count` floats from `source` to `destination` (non-temporal where `destination` is 32-byte aligned).
    @inline(__always) static func copy(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>,
                                       count: Int) {
        ptychite_copy_nontemporal(destination, source, count)
    }

    /// Makes the copies before it visible before any store after it.
    @inline(__always) static func fence() { ptychite_store_fence() }
}
