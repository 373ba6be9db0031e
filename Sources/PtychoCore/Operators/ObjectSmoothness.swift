/// The smoothness prior of the maximum-likelihood engine (the Gaussian smoothness prior of Thibault &
/// Guizar-Sicairos 2012):
/// R(O) = μ · Σ over nearest-neighbour pairs (a, b) of the object grid of |O_a − O_b|², horizontal and
/// vertical pairs, no wrap-around. Its real gradient g = 2·∂R/∂O* is 2μ·Σ_b (O_a − O_b), i.e. −2μ times
/// the discrete Laplacian with free boundaries, and along a direction h it is exactly quadratic:
/// R(O + γh) = R + γ·2μ·Re Σ conj(∇O)·∇h + γ²·μ·Σ|∇h|².
///
/// Runs once per iteration over the whole object, single-threaded: an object pass is small next to the
/// frames' transforms. Sums are in Double (the object can have millions of pixels).
public enum ObjectSmoothness {
    /// Adds R's gradient to `gradient` and returns R(O).
    public static func addGradient(object: UnsafePointer<Float>, height: Int, width: Int, weight: Double,
                                   gradient: UnsafeMutablePointer<Float>) -> Double {
        guard weight > 0 else { return 0 }
        let mu = Float(weight), twiceMu = 2 * Float(weight)
        var value = 0.0
        for y in 0..<height {
            var rowSum: Float = 0
            let o = object + 2 * y * width, g = gradient + 2 * y * width
            for x in 0..<(width - 1) {
                let dr = o[2 * x + 2] - o[2 * x], di = o[2 * x + 3] - o[2 * x + 1]
                rowSum += dr * dr + di * di
                g[2 * x] -= twiceMu * dr; g[2 * x + 1] -= twiceMu * di
                g[2 * x + 2] += twiceMu * dr; g[2 * x + 3] += twiceMu * di
            }
            if y + 1 < height {
                let below = o + 2 * width, gBelow = g + 2 * width
                for x in 0..<width {
                    let dr = below[2 * x] - o[2 * x], di = below[2 * x + 1] - o[2 * x + 1]
                    rowSum += dr * dr + di * di
                    g[2 * x] -= twiceMu * dr; g[2 * x + 1] -= twiceMu * di
                    gBelow[2 * x] += twiceMu * dr; gBelow[2 * x + 1] += twiceMu * di
                }
            }
            value += Double(rowSum)
        }
        return Double(mu) * value
    }

    /// First and second derivative of R(O + γh) at γ = 0: (2μ·Re Σ conj(∇O)·∇h, 2μ·Σ|∇h|²).
    public static func alongDirection(object: UnsafePointer<Float>, direction: UnsafePointer<Float>,
                                      height: Int, width: Int, weight: Double) -> (Double, Double) {
        guard weight > 0 else { return (0, 0) }
        var first = 0.0, second = 0.0
        func pair(_ a: Int, _ b: Int, _ f: inout Float, _ s: inout Float) {
            let gr = object[b] - object[a], gi = object[b + 1] - object[a + 1]
            let hr = direction[b] - direction[a], hi = direction[b + 1] - direction[a + 1]
            f += gr * hr + gi * hi
            s += hr * hr + hi * hi
        }
        for y in 0..<height {
            var f: Float = 0, s: Float = 0
            let row = 2 * y * width
            for x in 0..<(width - 1) { pair(row + 2 * x, row + 2 * x + 2, &f, &s) }
            if y + 1 < height { for x in 0..<width { pair(row + 2 * x, row + 2 * width + 2 * x, &f, &s) } }
            first += Double(f); second += Double(s)
        }
        return (2 * weight * first, 2 * weight * second)
    }
}
