import Foundation
import PtychoCore

/// Smooth, reproducible complex test objects and the manipulations the comparison must undo.
enum ComparisonFixtures {
    /// `[h, w]` object with amplitude in roughly [0.5, 1] and a phase spanning a few radians, both sums of
    /// low-frequency sinusoids with random directions (so the object is not periodic on the grid).
    static func smoothObject(height h: Int, width w: Int, seed: UInt64) -> ComplexArray {
        var random = RandomSource(seed: seed)
        func field() -> [(fy: Double, fx: Double, phase: Double, weight: Double)] {
            (0..<12).map { _ in
                let angle = 2 * Double.pi * random.uniform(), radius = 0.01 + 0.06 * random.uniform()
                return (radius * cos(angle), radius * sin(angle), 2 * Double.pi * random.uniform(),
                        0.5 + random.uniform())
            }
        }
        let amplitudeTerms = field(), phaseTerms = field()
        func evaluate(_ terms: [(fy: Double, fx: Double, phase: Double, weight: Double)],
                      _ r: Int, _ c: Int) -> Double {
            terms.reduce(0) {
                $0 + $1.weight * cos(2 * Double.pi * ($1.fy * Double(r) + $1.fx * Double(c)) + $1.phase)
            } / Double(terms.count)
        }
        let object = ComplexArray(shape: [h, w])
        for r in 0..<h {
            for c in 0..<w {
                let amplitude = 0.75 + 0.5 * evaluate(amplitudeTerms, r, c)
                let phase = 6 * evaluate(phaseTerms, r, c)
                object[flat: r * w + c] = (Float(amplitude * cos(phase)), Float(amplitude * sin(phase)))
            }
        }
        return object
    }

    /// `scale·exp(i·globalPhase)·exp(i(ky·r + kx·c))·image`, a new array.
    static func withScaleAndRamp(_ image: ComplexArray, scale: Double, globalPhase: Double,
                                 radiansPerRow: Double, radiansPerColumn: Double) -> ComplexArray {
        let (h, w) = (image.shape[image.shape.count - 2], image.shape[image.shape.count - 1])
        let out = ComplexArray(copying: image)
        for r in 0..<h {
            for c in 0..<w {
                let phase = globalPhase + radiansPerRow * Double(r) + radiansPerColumn * Double(c)
                let (zr, zi) = out[flat: r * w + c]
                let er = scale * cos(phase), ei = scale * sin(phase)
                out[flat: r * w + c] = (Float(Double(zr) * er - Double(zi) * ei),
                                        Float(Double(zr) * ei + Double(zi) * er))
            }
        }
        return out
    }

    /// `image + noise`, complex Gaussian noise of standard deviation `sigma` per component.
    static func withNoise(_ image: ComplexArray, sigma: Double, seed: UInt64) -> ComplexArray {
        var random = RandomSource(seed: seed)
        let out = ComplexArray(copying: image)
        for i in 0..<out.count {
            let (zr, zi) = out[flat: i]
            out[flat: i] = (zr + Float(sigma * random.normal()), zi + Float(sigma * random.normal()))
        }
        return out
    }

    /// A Gaussian illumination footprint `[h, w]` peaking in the middle, falling to ~1 % at the edges.
    static func illumination(height h: Int, width w: Int) -> RealArray {
        let out = RealArray(shape: [h, w])
        for r in 0..<h {
            for c in 0..<w {
                let y = (Double(r) - Double(h - 1) / 2) / Double(h), x = (Double(c) - Double(w - 1) / 2) / Double(w)
                out[flat: r * w + c] = Float(exp(-(y * y + x * x) / (2 * 0.2 * 0.2)))
            }
        }
        return out
    }
}
