/// Sizing and value-range rules shared by the preview renderers.
///
/// Previews are meant to be glanced at: small arrays are enlarged by an integer nearest-neighbour factor
/// (pixels stay square and sharp) until the long side reaches `minimumLongSide`; huge arrays are
/// decimated by an integer factor so the long side stays within `maximumLongSide`.
enum PreviewScaling {
    static let minimumLongSide = 400
    static let maximumLongSide = 1600

    /// Display extent for a `height × width` source.
    static func displayExtent(height: Int, width: Int) -> (height: Int, width: Int) {
        let long = max(height, width)
        if long > maximumLongSide {
            let step = (long + maximumLongSide - 1) / maximumLongSide
            return ((height + step - 1) / step, (width + step - 1) / step)
        }
        let factor = max(1, min((minimumLongSide + long - 1) / long, maximumLongSide / long))
        return (height * factor, width * factor)
    }

    /// Values at fractions `low` and `high` (0…1) of the sorted `values` where `include` holds (every
    /// value when nil); non-finite values are ignored. At most ~10⁶ samples are sorted, taken on a
    /// regular stride, which is plenty for a display range. Returns (0, 1) when nothing qualifies.
    static func percentileRange(_ values: [Float], include: [Bool]?, low: Double, high: Double)
        -> (low: Float, high: Float) {
        let stride = max(1, values.count / 1_000_000)
        var sample: [Float] = []
        sample.reserveCapacity(values.count / stride + 1)
        var i = 0
        while i < values.count {
            if values[i].isFinite && (include?[i] ?? true) { sample.append(values[i]) }
            i += stride
        }
        guard !sample.isEmpty else { return (0, 1) }
        sample.sort()
        let lo = sample[Int(low * Double(sample.count - 1))], hi = sample[Int(high * Double(sample.count - 1))]
        // A flat field still needs a non-empty range to map through.
        return hi > lo ? (lo, hi) : (lo - 0.5, lo + 0.5)
    }

    /// Greyscale raster of `field` (`height × width`), mapping `range` linearly onto 0…255 with clamping.
    static func greyImage(_ field: [Float], height: Int, width: Int, range: (low: Float, high: Float)) -> RasterImage {
        let scale = 255 / (range.high - range.low)
        let pixels = field.map { v -> UInt8 in
            guard v.isFinite else { return 0 }
            return UInt8(max(0, min(255, ((v - range.low) * scale).rounded())))
        }
        return RasterImage(width: width, height: height, format: .grey, pixels: pixels)
    }
}

extension RasterImage {
    /// Nearest-neighbour resampling to `height × width` (integer factors give exact pixel replication).
    func resampled(height newHeight: Int, width newWidth: Int) -> RasterImage {
        if newHeight == height && newWidth == width { return self }
        let channels = format.channels
        var out = [UInt8](repeating: 0, count: newHeight * newWidth * channels)
        let sourceColumns = (0..<newWidth).map { $0 * width / newWidth }
        for r in 0..<newHeight {
            let sourceRow = r * height / newHeight
            for c in 0..<newWidth {
                let s = (sourceRow * width + sourceColumns[c]) * channels, d = (r * newWidth + c) * channels
                for k in 0..<channels { out[d + k] = pixels[s + k] }
            }
        }
        return RasterImage(width: newWidth, height: newHeight, format: format, pixels: out)
    }

    /// This raster resampled to the display extent `PreviewScaling` prescribes for its size.
    func scaledForDisplay() -> RasterImage {
        let extent = PreviewScaling.displayExtent(height: height, width: width)
        return resampled(height: extent.height, width: extent.width)
    }
}
