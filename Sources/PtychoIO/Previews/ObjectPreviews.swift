import Foundation
import PtychoCore

/// Renders reconstruction quantities into display rasters (no files; see `PreviewWriter`).
public enum PreviewRenderer {
    /// Pixels whose illumination is at least this fraction of its maximum set the display range.
    public static let illuminatedFraction: Float = 0.1
    /// Display range: these percentiles of the (illuminated) values map to black and white.
    public static let percentiles = (low: 0.01, high: 0.99)

    /// Greyscale phase of the first object mode (`[H, W]` or `[k, H, W]`). The phase is taken relative to
    /// the illumination-weighted mean value, so a weak-phase object sits mid-range instead of wrapping at
    /// ±π; the grey range comes from percentiles within the illuminated region when `illumination`
    /// (`[H, W]`) is given, else over the whole array.
    public static func objectPhase(_ object: ComplexArray, illumination: RealArray?) -> RasterImage {
        let (h, w) = planeExtent(object.shape)
        let plane = object.slice(0)
        let region = illuminatedRegion(illumination, count: h * w)
        // `region` is non-nil only when the illumination matches the object, so indexing it is safe.
        let weights = region == nil ? nil : illumination?.storage
        var meanRe = 0.0, meanIm = 0.0
        for i in 0..<(h * w) where region?[i] ?? true {
            let weight = Double(weights?[i] ?? 1)
            meanRe += weight * Double(plane[2 * i]); meanIm += weight * Double(plane[2 * i + 1])
        }
        let reference = Float(atan2(meanIm, meanRe))
        let (cr, ci) = (cos(reference), -sin(reference))
        var phase = [Float](repeating: 0, count: h * w)
        for i in 0..<(h * w) {
            let (re, im) = (plane[2 * i], plane[2 * i + 1])
            phase[i] = atan2(re * ci + im * cr, re * cr - im * ci)
        }
        let range = PreviewScaling.percentileRange(phase, include: region, low: percentiles.low,
                                                   high: percentiles.high)
        return PreviewScaling.greyImage(phase, height: h, width: w, range: range).scaledForDisplay()
    }

    /// Greyscale amplitude of the first object mode, percentile range as for the phase.
    public static func objectAmplitude(_ object: ComplexArray, illumination: RealArray?) -> RasterImage {
        let (h, w) = planeExtent(object.shape)
        let plane = object.slice(0)
        let amplitude = (0..<(h * w)).map { i in
            (plane[2 * i] * plane[2 * i] + plane[2 * i + 1] * plane[2 * i + 1]).squareRoot()
        }
        let range = PreviewScaling.percentileRange(amplitude, include: illuminatedRegion(illumination, count: h * w),
                                                   low: percentiles.low, high: percentiles.high)
        return PreviewScaling.greyImage(amplitude, height: h, width: w, range: range).scaledForDisplay()
    }

    /// The well-illuminated pixels, or nil (meaning all) without an illumination of matching size.
    static func illuminatedRegion(_ illumination: RealArray?, count: Int) -> [Bool]? {
        guard let illumination, illumination.count == count, let peak = illumination.storage.max(), peak > 0 else {
            return nil
        }
        let level = illuminatedFraction * peak
        return illumination.storage.map { $0 >= level }
    }

    /// `(height, width)` of the planes of an `[H, W]` or `[k, H, W]` array.
    static func planeExtent(_ shape: [Int]) -> (height: Int, width: Int) {
        precondition(shape.count == 2 || shape.count == 3, "preview needs [H, W] or [k, H, W], got \(shape)")
        return (shape[shape.count - 2], shape[shape.count - 1])
    }
}
