/// An 8-bit raster, greyscale or RGB, row-major with interleaved channels, row 0 at the top.
///
/// Invariant: `pixels.count == width · height · format.channels`.
public struct RasterImage: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        case grey, rgb
        public var channels: Int { self == .grey ? 1 : 3 }
    }

    public let width: Int
    public let height: Int
    public let format: Format
    public var pixels: [UInt8]

    /// A `width × height` image filled with `fill` (grey images take its red component).
    public init(width: Int, height: Int, format: Format, fill: (r: UInt8, g: UInt8, b: UInt8) = (0, 0, 0)) {
        precondition(width > 0 && height > 0, "empty raster \(width) × \(height)")
        self.width = width
        self.height = height
        self.format = format
        switch format {
        case .grey: pixels = [UInt8](repeating: fill.r, count: width * height)
        case .rgb:
            pixels = [UInt8](repeating: 0, count: 3 * width * height)
            for i in 0..<(width * height) {
                pixels[3 * i] = fill.r; pixels[3 * i + 1] = fill.g; pixels[3 * i + 2] = fill.b
            }
        }
    }

    /// Wraps existing samples; `pixels.count` must match the format.
    public init(width: Int, height: Int, format: Format, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * format.channels,
                     "\(pixels.count) samples do not fill a \(width) × \(height) \(format) raster")
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    /// Colour at a pixel; a grey pixel reads as three equal components.
    public func colour(row: Int, column: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let i = (row * width + column) * format.channels
        return format == .grey ? (pixels[i], pixels[i], pixels[i]) : (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Sets a pixel, silently ignoring coordinates outside the raster (convenient for clipped drawing).
    public mutating func setColour(row: Int, column: Int, _ c: (r: UInt8, g: UInt8, b: UInt8)) {
        guard row >= 0 && row < height && column >= 0 && column < width else { return }
        let i = (row * width + column) * format.channels
        if format == .grey {
            pixels[i] = c.r
        } else {
            pixels[i] = c.r; pixels[i + 1] = c.g; pixels[i + 2] = c.b
        }
    }
}
