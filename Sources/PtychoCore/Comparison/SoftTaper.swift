import Foundation

/// A smooth window derived from a binary region, used before every FFT of a compared region so that the
/// region's edges add no spurious high frequencies (which would inflate the FRC, since both images share
/// the same edges) and no correlation peak at zero shift.
///
/// Invariants of the result: values lie in [0, 1]; 0 wherever the region is 0 and on its boundary and
/// beyond the array edge; rising as sin² (continuous slope) to 1 about `radius`·2 pixels inside the region.
enum SoftTaper {
    /// Default blur radius for a region of `height × width`: wide enough to be smooth, narrow enough to
    /// keep most of a small region.
    static func defaultRadius(height: Int, width: Int) -> Int { max(2, min(height, width) / 24) }

    static func make(region: [Float], height: Int, width: Int, radius: Int) -> [Float] {
        precondition(region.count == height * width && radius >= 1)
        var blurred = region.map { $0 > 0 ? Float(1) : 0 }
        var line = [Float](repeating: 0, count: max(height, width))
        // Two passes of a centred box filter approximate a Gaussian; outside the array counts as 0.
        for _ in 0..<2 {
            for r in 0..<height {
                for c in 0..<width { line[c] = blurred[r * width + c] }
                boxFilter(line: &line, count: width, radius: radius) { blurred[r * width + $0] = $1 }
            }
            for c in 0..<width {
                for r in 0..<height { line[r] = blurred[r * width + c] }
                boxFilter(line: &line, count: height, radius: radius) { blurred[$0 * width + c] = $1 }
            }
        }
        return blurred.map { b in
            let t = min(1, max(0, 2 * b - 1))
            let s = sin(0.5 * Float.pi * t)
            return s * s
        }
    }

    /// Running-sum box mean of `line[0..<count]` over `2·radius + 1` samples, reported through `store`.
    private static func boxFilter(line: inout [Float], count: Int, radius: Int,
                                  store: (Int, Float) -> Void) {
        let norm = 1 / Float(2 * radius + 1)
        var sum: Float = 0
        for i in 0..<min(radius, count) { sum += line[i] }
        for i in 0..<count {
            if i + radius < count { sum += line[i + radius] }
            if i - radius - 1 >= 0 { sum -= line[i - radius - 1] }
            store(i, max(0, sum * norm))
        }
    }
}
