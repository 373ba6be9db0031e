extension ApertureProbe {
    /// Builds a mixed-state probe from one coherent mode: mode 0 is `mode0`, each extra mode is `mode0`
    /// times a low-order Hermite pattern across the beam (x, y, xy, x², y², …, with coordinates scaled by
    /// the beam's rms width about its power centroid), made orthogonal to all earlier modes by
    /// Gram–Schmidt.
    ///
    /// Invariants of the result `[count + 1, ny, nx]`:
    /// - the modes are mutually orthogonal (⟨P_i, P_j⟩ = 0 to float precision);
    /// - each extra mode holds `powerFraction` of the total and mode 0 holds `1 − count·powerFraction`;
    /// - the total Σ_k Σ|P_k|² equals Σ|mode0|².
    ///
    /// `rng` is drawn on only when more extra modes are asked for than there are tabulated Hermite
    /// patterns (9); those get random combinations of the tabulated ones.
    ///
    /// - Parameter mode0: `[ny, nx]` or `[1, ny, nx]`.
    public static func addIncoherentModes(to mode0: ComplexArray, count: Int, powerFraction: Double,
                                          rng: inout RandomSource) -> ComplexArray {
        precondition(count >= 0 && powerFraction >= 0 && Double(count) * powerFraction < 1,
                     "extra modes must hold less than the total power")
        let ny = mode0.shape[mode0.shape.count - 2], nx = mode0.shape[mode0.shape.count - 1]
        let pixels = ny * nx
        precondition(mode0.count == pixels, "mode0 must be a single [ny, nx] frame")
        let totalPower = mode0.totalPower()
        let source = mode0.pointer

        // Beam centroid and rms width, so the patterns vary across the beam, not across the frame.
        var weight = 0.0, sumY = 0.0, sumX = 0.0, sumYY = 0.0, sumXX = 0.0
        for row in 0..<ny {
            for column in 0..<nx {
                let index = row * nx + column
                let power = Double(source[2 * index] * source[2 * index] + source[2 * index + 1] * source[2 * index + 1])
                weight += power
                sumY += power * Double(row); sumX += power * Double(column)
                sumYY += power * Double(row * row); sumXX += power * Double(column * column)
            }
        }
        let centreY = sumY / max(weight, .leastNormalMagnitude), centreX = sumX / max(weight, .leastNormalMagnitude)
        let widthY = max(1, (sumYY / max(weight, .leastNormalMagnitude) - centreY * centreY).squareRoot())
        let widthX = max(1, (sumXX / max(weight, .leastNormalMagnitude) - centreX * centreX).squareRoot())

        // Modes in double precision while orthogonalising; interleaved re, im.
        var modes: [[Double]] = [(0..<(2 * pixels)).map { Double(source[$0]) }]
        for mode in 1..<(count + 1) {
            let coefficients = patternCoefficients(mode: mode, rng: &rng)
            var candidate = [Double](repeating: 0, count: 2 * pixels)
            for row in 0..<ny {
                let u = (Double(row) - centreY) / widthY
                for column in 0..<nx {
                    let v = (Double(column) - centreX) / widthX
                    var pattern = 0.0
                    for (order, coefficient) in coefficients where coefficient != 0 {
                        pattern += coefficient * hermite(order.y, u) * hermite(order.x, v)
                    }
                    let index = row * nx + column
                    candidate[2 * index] = pattern * modes[0][2 * index]
                    candidate[2 * index + 1] = pattern * modes[0][2 * index + 1]
                }
            }
            // Two passes of classical Gram–Schmidt: the second removes what rounding left of the first.
            for _ in 0..<2 {
                for earlier in modes { subtractProjection(of: &candidate, onto: earlier) }
            }
            modes.append(candidate)
        }

        let result = ComplexArray(shape: [count + 1, ny, nx])
        for (mode, values) in modes.enumerated() {
            let power = values.reduce(0) { $0 + $1 * $1 }
            let wanted = mode == 0 ? (1 - Double(count) * powerFraction) * totalPower : powerFraction * totalPower
            let scale = power > 0 ? (wanted / power).squareRoot() : 0
            let destination = result.slice(mode)
            for index in 0..<(2 * pixels) { destination[index] = Float(values[index] * scale) }
        }
        return result
    }

    /// Orders (y, x) of the tabulated Hermite products, lowest total order first.
    static let hermiteOrders: [(y: Int, x: Int)] = [(0, 1), (1, 0), (1, 1), (0, 2), (2, 0), (1, 2), (2, 1), (0, 3), (3, 0)]

    /// Pattern of extra mode `mode` (1-based) as Hermite orders with weights.
    static func patternCoefficients(mode: Int, rng: inout RandomSource) -> [((y: Int, x: Int), Double)] {
        if mode <= hermiteOrders.count { return [(hermiteOrders[mode - 1], 1)] }
        return hermiteOrders.map { ($0, rng.normal()) }
    }

    /// Probabilists' Hermite polynomial He_n(t) for n ≤ 3.
    static func hermite(_ order: Int, _ t: Double) -> Double {
        switch order {
        case 0: return 1
        case 1: return t
        case 2: return t * t - 1
        default: return t * t * t - 3 * t
        }
    }

    /// candidate ← candidate − ⟨basis, candidate⟩ / ⟨basis, basis⟩ · basis, complex inner product.
    static func subtractProjection(of candidate: inout [Double], onto basis: [Double]) {
        var dotRe = 0.0, dotIm = 0.0, norm = 0.0
        for index in stride(from: 0, to: basis.count, by: 2) {
            let (br, bi, cr, ci) = (basis[index], basis[index + 1], candidate[index], candidate[index + 1])
            dotRe += br * cr + bi * ci   // conj(b)·c
            dotIm += br * ci - bi * cr
            norm += br * br + bi * bi
        }
        guard norm > 0 else { return }
        let (re, im) = (dotRe / norm, dotIm / norm)
        for index in stride(from: 0, to: basis.count, by: 2) {
            let (br, bi) = (basis[index], basis[index + 1])
            candidate[index] -= re * br - im * bi
            candidate[index + 1] -= re * bi + im * br
        }
    }
}
