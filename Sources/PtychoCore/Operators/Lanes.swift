import CFFTW

/// Eight floats processed together (one AVX register), for the kernels written with explicit vectors.
///
/// Why explicit vectors: the compiler's loop vectoriser gives up when a loop writes through several
/// pointers it cannot prove distinct (DM's update writes the exit wave, two numerator planes and a
/// denominator), and it never fuses a·b + c on its own for Swift floats. With `SIMD8` the loads, fused
/// multiply-adds and (de)interleaving shuffles are exactly the ones written.
typealias Lanes = SIMD8<Float>

extension Lanes {
    /// `n` (≤ 8) floats from `p`, zeros in the lanes beyond them.
    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ n: Int) -> Lanes {
        if n == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
        var v = Lanes()
        for t in 0..<n { v[t] = p[t] }
        return v
    }

    /// Writes the first `n` (≤ 8) lanes to `p`.
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        if n == 8 { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Lanes.self); return }
        for t in 0..<n { p[t] = self[t] }
    }

    /// `n` interleaved complex numbers from `p` as real parts and imaginary parts.
    @inline(__always) static func loadComplex(_ p: UnsafePointer<Float>, _ n: Int) -> (re: Lanes, im: Lanes) {
        if n == 8 {
            let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
            return (v.evenHalf, v.oddHalf)
        }
        var re = Lanes(), im = Lanes()
        for t in 0..<n { re[t] = p[2 * t]; im[t] = p[2 * t + 1] }
        return (re, im)
    }

    /// Writes `n` complex numbers interleaved to `p`.
    @inline(__always) static func storeComplex(_ re: Lanes, _ im: Lanes, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        if n == 8 {
            UnsafeMutableRawPointer(p).storeBytes(of: interleave(re, im), as: SIMD16<Float>.self)
            return
        }
        for t in 0..<n { p[2 * t] = re[t]; p[2 * t + 1] = im[t] }
    }

    /// (a0, b0, a1, b1, …): the compiler turns this into two unpacks and two lane permutes.
    @inline(__always) static func interleave(_ a: Lanes, _ b: Lanes) -> SIMD16<Float> {
        SIMD16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
    }

    /// √x lane by lane, as one instruction (see `ptychite_sqrt8`).
    @inline(__always) func squareRootLanes() -> Lanes { ptychite_sqrt8(self) }
}

/// Calls `body(i, n)` for i = 0, 8, 16, … with n = 8 lanes, and once more with the remaining n < 8 lanes.
/// Inlined, so in the main loop n is the constant 8 and the loads and stores are single instructions.
@inline(__always) func forEachLanes(_ count: Int, _ body: (_ i: Int, _ n: Int) -> Void) {
    var i = 0
    while i + 8 <= count {
        body(i, 8)
        i += 8
    }
    if i < count { body(i, count - i) }
}
