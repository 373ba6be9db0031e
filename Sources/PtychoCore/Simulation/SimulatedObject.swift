import Foundation

/// A procedural complex transmission for simulations: a Siemens-star *phase* pattern and an independent
/// *amplitude* pattern (smooth absorbing blobs plus fine texture), so that a reconstruction's phase and
/// amplitude can be checked separately and cross-talk between them shows up.
///
/// Invariants of `render`: amplitude ∈ `amplitudeRange`; phase ∈ [0, `phaseAmplitude`]; the star is
/// centred on the array centre; the result depends only on the parameters, the extent and the seed.
///
/// Band limit: the spokes' edges are blurred to about 1.5 pixels and the spoke modulation fades out
/// where the spoke period drops below 4 pixels (near the centre), so the pattern does not alias on the
/// object grid.
public struct SimulatedObject: Sendable, Equatable {
    /// Number of spokes (phase-shifting wedges) of the star.
    public var spokeCount: Int
    /// Phase of a spoke relative to the background, rad.
    public var phaseAmplitude: Double
    /// Star radius as a fraction of half the smaller array extent.
    public var starRadiusFraction: Double
    /// Amplitude range; 1 is full transmission.
    public var amplitudeRange: ClosedRange<Double>
    /// Number of smooth absorbing disks in the amplitude.
    public var blobCount: Int
    /// Share of the amplitude modulation given to the fine random texture (the rest goes to the blobs).
    public var textureShare: Double

    public init(spokeCount: Int = 36, phaseAmplitude: Double = 1, starRadiusFraction: Double = 0.6,
                amplitudeRange: ClosedRange<Double> = 0.6...1.0, blobCount: Int = 7, textureShare: Double = 0.25) {
        precondition(spokeCount > 0 && starRadiusFraction > 0 && amplitudeRange.lowerBound >= 0
                     && blobCount >= 0 && (0...1).contains(textureShare))
        self.spokeCount = spokeCount
        self.phaseAmplitude = phaseAmplitude
        self.starRadiusFraction = starRadiusFraction
        self.amplitudeRange = amplitudeRange
        self.blobCount = blobCount
        self.textureShare = textureShare
    }

    /// The transmission `[height, width]`.
    public func render(height: Int, width: Int, seed: UInt64) -> ComplexArray {
        precondition(height > 0 && width > 0)
        let absorption = absorptionPattern(height: height, width: width, seed: seed)
        let object = ComplexArray(shape: [height, width])
        let values = object.pointer
        let low = amplitudeRange.lowerBound, span = amplitudeRange.upperBound - amplitudeRange.lowerBound
        for row in 0..<height {
            for column in 0..<width {
                let index = row * width + column
                let amplitude = low + span * (1 - absorption[index])
                let phase = starPhase(row: row, column: column, height: height, width: width)
                values[2 * index] = Float(amplitude * cos(phase))
                values[2 * index + 1] = Float(amplitude * sin(phase))
            }
        }
        return object
    }

    /// Siemens-star phase at a pixel, rad.
    func starPhase(row: Int, column: Int, height: Int, width: Int) -> Double {
        let dy = Double(row) - Double(height) / 2, dx = Double(column) - Double(width) / 2
        let radius = (dy * dy + dx * dx).squareRoot()
        let outerRadius = starRadiusFraction * Double(min(height, width)) / 2
        let spokes = Double(spokeCount)
        // Spoke period 2πr/n reaches 4 px at this radius; inside it the modulation fades to its mean.
        let innerRadius = 4 * spokes / (2 * Double.pi)
        let outerEnvelope = smoothStep((outerRadius - radius) / 4 + 0.5)
        let innerEnvelope = smoothStep((radius - innerRadius) / 4 + 0.5)
        // tanh edges ~1.5 px wide at any radius: sin(nθ) changes by n/r per pixel of arc.
        let sharpness = max(0.5, radius / (1.5 * spokes))
        let wedge = tanh(sharpness * sin(spokes * atan2(dy, dx))) / tanh(sharpness)
        return phaseAmplitude * outerEnvelope * (0.5 + 0.5 * innerEnvelope * wedge)
    }

    /// Absorption in [0, 1] per pixel: soft-edged disks (overlaps saturate) plus smoothed noise.
    func absorptionPattern(height: Int, width: Int, seed: UInt64) -> [Double] {
        var rng = RandomSource(seed: seed)
        let extent = Double(min(height, width))
        var blobs = [Double](repeating: 0, count: height * width)
        for _ in 0..<blobCount {
            let centreY = Double(height) * (0.15 + 0.7 * rng.uniform())
            let centreX = Double(width) * (0.15 + 0.7 * rng.uniform())
            let radius = extent * (0.04 + 0.12 * rng.uniform())
            let strength = 0.4 + 0.6 * rng.uniform()
            for row in 0..<height {
                let dy = Double(row) - centreY
                for column in 0..<width {
                    let dx = Double(column) - centreX
                    let distance = (dy * dy + dx * dx).squareRoot()
                    blobs[row * width + column] += strength * smoothStep((radius - distance) / 3 + 0.5)
                }
            }
        }
        let texture = smoothedNoise(height: height, width: width, rng: &rng)
        return (0..<(height * width)).map {
            (1 - textureShare) * min(1, blobs[$0]) + textureShare * texture[$0]
        }
    }

    /// Uniform noise blurred by three passes of a 3-pixel box filter per axis (≈ Gaussian, σ ≈ 1.4 px),
    /// mapped to [0, 1] with ±2σ spanning the range (clamped beyond): fine texture that is still resolvable.
    func smoothedNoise(height: Int, width: Int, rng: inout RandomSource) -> [Double] {
        var noise = (0..<(height * width)).map { _ in rng.uniform() }
        var scratch = noise
        for _ in 0..<3 {
            for row in 0..<height {
                for column in 0..<width {
                    let left = max(0, column - 1), right = min(width - 1, column + 1)
                    scratch[row * width + column] =
                        (noise[row * width + left] + noise[row * width + column] + noise[row * width + right]) / 3
                }
            }
            for row in 0..<height {
                let up = max(0, row - 1), down = min(height - 1, row + 1)
                for column in 0..<width {
                    noise[row * width + column] =
                        (scratch[up * width + column] + scratch[row * width + column] + scratch[down * width + column]) / 3
                }
            }
        }
        let mean = noise.reduce(0, +) / Double(noise.count)
        let deviation = (noise.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(noise.count)).squareRoot()
        guard deviation > 0 else { return noise.map { _ in 0.5 } }
        return noise.map { min(1, max(0, 0.5 + ($0 - mean) / (4 * deviation))) }
    }
}

/// Hermite smoothstep of `t` clamped to [0, 1].
@inline(__always) private func smoothStep(_ t: Double) -> Double {
    let clamped = min(1, max(0, t))
    return clamped * clamped * (3 - 2 * clamped)
}
