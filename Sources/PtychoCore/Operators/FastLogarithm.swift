import CFFTW

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

/// Natural logarithm of eight positive normal floats at once, accurate to ~1.2e-7 relative, without a
/// division: in the modulus projection's metric (`FrameKernels.modulusProjection`, one logarithm per
/// detector pixel of every frame) the scalar version's division cost as much as the rest of the series.
///
/// x = 2^k·m with m ∈ [√½, √2) (subtracting √2/2's bit pattern puts the exponent step at √2, so no
/// branch), then ln x = k·ln 2 + f·g(f) with f = m − 1 and g(f) ≈ ln(1 + f)/f a degree-7 polynomial
/// (a Chebyshev fit on f ∈ [√½ − 1, √2 − 1], absolute error < 1e-7 in float arithmetic).
///
/// ML's objective keeps the scalar `fastLogarithm`: its gradient test takes finite differences of the
/// objective at the 1e-7 level, where this polynomial's error (small, but oscillating) does not cancel
/// between nearby arguments as the series' smooth error does.
@inline(__always)
public func fastLogarithm(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let shifted = unsafeBitCast(x, to: SIMD8<UInt32>.self) &- 0x3F35_04F3
    let exponent = ptychite_float8_from_int8(unsafeBitCast(shifted, to: SIMD8<Int32>.self) &>> 23)
    let f = unsafeBitCast((shifted & 0x7F_FFFF) &+ 0x3F35_04F3, to: SIMD8<Float>.self) - 1
    var g = SIMD8<Float>(repeating: -0.101_340_57)
    g = SIMD8(repeating: 0.162_341_89).addingProduct(g, f)
    g = SIMD8(repeating: -0.172_470_14).addingProduct(g, f)
    g = SIMD8(repeating: 0.198_985_65).addingProduct(g, f)
    g = SIMD8(repeating: -0.249_700_71).addingProduct(g, f)
    g = SIMD8(repeating: 0.333_351_14).addingProduct(g, f)
    g = SIMD8(repeating: -0.500_003_64).addingProduct(g, f)
    g = SIMD8(repeating: 0.999_999_94).addingProduct(g, f)
    return (f * g).addingProduct(exponent, SIMD8(repeating: 0.693_147_18))
}
