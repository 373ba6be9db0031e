/// Natural logarithm for positive normal floats, accurate to ~1e-6 relative, written so the compiler can
/// vectorise loops that call it (libm's `logf` is an opaque call that stops vectorisation).
///
/// Used only for the Poisson likelihood metric, which is reported, never differentiated, so the
/// approximation cannot change a reconstruction. Inputs must be > 0 and finite.
@inlinable @inline(__always)
public func fastLogarithm(_ x: Float) -> Float {
    let bits = x.bitPattern
    let exponent = Float(Int32(bitPattern: (bits >> 23) & 0xFF) - 127)
    // Mantissa m in [1, 2); ln m = 2·atanh(t) with t = (m − 1)/(m + 1) ∈ [0, 1/3).
    let mantissa = Float(bitPattern: (bits & 0x7F_FFFF) | 0x3F80_0000)
    let t = (mantissa - 1) / (mantissa + 1)
    let t2 = t * t
    let series = 1 + t2 * (1 / 3 + t2 * (1 / 5 + t2 * (1 / 7 + t2 * (1 / 9))))
    return exponent * 0.693_147_18 + 2 * t * series
}
