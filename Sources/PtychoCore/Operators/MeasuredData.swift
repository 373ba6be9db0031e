import Foundation

/// The measurements in the layout the engines use: per-frame amplitudes √I with the zero frequency moved
/// to the array origin (FFTW's convention), and the mask likewise shifted.
///
/// Built in place from a `DiffractionDataset`: the dataset's intensity buffer is converted, not copied,
/// so the data occupy memory once. After construction the dataset's `intensities` hold amplitudes and
/// must not be read as intensities again. Invariant: `amplitudes[j, r] ≥ 0`, `mask[r] ∈ {0, 1}`.
public final class MeasuredData: @unchecked Sendable {
    public let frameCount: Int
    public let frameHeight: Int
    public let frameWidth: Int
    /// `[N, ny, nx]`, √I, origin-centred.
    public let amplitudes: RealArray
    /// `[ny, nx]`, 1 = good, origin-centred.
    public let mask: RealArray
    /// Σ_j Σ_r m·I: the Fourier error's denominator.
    public let maskedIntensitySum: Double
    /// Σ_j Σ_r m: the number of observed pixels, the likelihood's normaliser.
    public let observedPixelCount: Double
    /// Σ_j Σ_r m·ln Γ(I + 1): the data-only part of the Poisson likelihood.
    public let logFactorialSum: Double
    /// `[N]`: each frame's expected Poisson amplitude noise Σ_r m·E[(√I − √λ)²] ≈ Σ_r m·min(I, ¼)
    /// (¼ is the variance of √I for large counts; for small counts it is about λ ≈ I).
    public let noiseLevel: RealArray
    /// Mean over frames of Σ_r I on good pixels.
    public let meanFrameIntensity: Double

    /// Converts `dataset.intensities` in place (see the type's note) using up to `threads` threads.
    public init(consuming dataset: DiffractionDataset, threads: Int = 1) {
        frameCount = dataset.frameCount
        frameHeight = dataset.frameHeight
        frameWidth = dataset.frameWidth
        amplitudes = dataset.intensities
        mask = RealArray(shape: [frameHeight, frameWidth])
        mask.pointer.update(from: dataset.mask.pointer, count: mask.count)
        let pixels = frameHeight * frameWidth
        let height = frameHeight, width = frameWidth
        let scratch = RealArray(shape: [max(1, threads), pixels])
        FFTShift.apply(real: mask.pointer, height: height, width: width, scratch: scratch.pointer)

        noiseLevel = RealArray(shape: [frameCount])
        let noise = UncheckedBox(noiseLevel.pointer)
        let chunks = max(1, min(threads, frameCount))
        var partial = [(Double, Double, Double)](repeating: (0, 0, 0), count: chunks)
        let data = UncheckedBox(amplitudes.pointer), maskPointer = UncheckedBox(mask.pointer)
        let scratchPointer = UncheckedBox(scratch.pointer), frames = frameCount
        partial.withUnsafeMutableBufferPointer { sums in
            let sumsPointer = UncheckedBox(sums.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var intensity = 0.0, logFactorial = 0.0, observed = 0.0
                for j in (chunk * frames / chunks)..<((chunk + 1) * frames / chunks) {
                    let frame = data.value + j * pixels
                    FFTShift.apply(real: frame, height: height, width: width,
                                   scratch: scratchPointer.value + chunk * pixels)
                    var frameNoise: Float = 0
                    for r in 0..<pixels {
                        let value = frame[r]
                        if maskPointer.value[r] > 0 {
                            frameNoise += min(value, 0.25)
                            intensity += Double(value)
                            logFactorial += lgamma(Double(value) + 1)
                            observed += 1
                        }
                        frame[r] = value.squareRoot()
                    }
                    noise.value[j] = frameNoise
                }
                sumsPointer.value[chunk] = (intensity, logFactorial, observed)
            }
        }
        maskedIntensitySum = partial.reduce(0) { $0 + $1.0 }
        logFactorialSum = partial.reduce(0) { $0 + $1.1 }
        observedPixelCount = partial.reduce(0) { $0 + $1.2 }
        meanFrameIntensity = maskedIntensitySum / Double(frameCount)
    }

    /// Fourier amplitude error of the spec from accumulated sums.
    public func fourierError(_ metrics: FourierMetrics) -> Double {
        metrics.amplitudeResidual / max(maskedIntensitySum, .leastNormalMagnitude)
    }

    /// Poisson negative log-likelihood per observed pixel from accumulated sums.
    public func poissonNLL(_ metrics: FourierMetrics) -> Double {
        (metrics.likelihood + logFactorialSum) / max(observedPixelCount, 1)
    }
}
