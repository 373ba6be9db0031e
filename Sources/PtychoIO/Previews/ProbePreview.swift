import Foundation
import PtychoCore

extension PreviewRenderer {
    /// Colour of a complex value: hue = phase (0 → red, 2π/3 → green, −2π/3 → blue), full saturation,
    /// brightness = `|z| / maxAmplitude` clamped to 1 (zero amplitude → black).
    public static func complexColour(re: Float, im: Float, maxAmplitude: Float) -> (r: UInt8, g: UInt8, b: UInt8) {
        let value = maxAmplitude > 0 ? min(1, (re * re + im * im).squareRoot() / maxAmplitude) : 0
        var hue = atan2(im, re) / (2 * Float.pi)  // −½ … ½ turns
        if hue < 0 { hue += 1 }
        return hsvToRGB(hue: hue, value: value)
    }

    /// HSV with saturation 1 to 8-bit RGB; `hue` in turns [0, 1), `value` in [0, 1].
    static func hsvToRGB(hue: Float, value v: Float) -> (r: UInt8, g: UInt8, b: UInt8) {
        let h6 = hue * 6
        let sector = Int(h6.rounded(.down)) % 6
        let f = h6 - h6.rounded(.down)
        let rising = v * f, falling = v * (1 - f)
        let (r, g, b): (Float, Float, Float)
        switch sector {
        case 0: (r, g, b) = (v, rising, 0)
        case 1: (r, g, b) = (falling, v, 0)
        case 2: (r, g, b) = (0, v, rising)
        case 3: (r, g, b) = (0, falling, v)
        case 4: (r, g, b) = (rising, 0, v)
        default: (r, g, b) = (v, 0, falling)
        }
        func byte(_ x: Float) -> UInt8 { UInt8(max(0, min(255, (x * 255).rounded()))) }
        return (byte(r), byte(g), byte(b))
    }

    /// Gap between modes, grey so it reads as neither signal nor darkness.
    static let modeSeparatorColour: (r: UInt8, g: UInt8, b: UInt8) = (96, 96, 96)

    /// All probe modes of `[k, ny, nx]` (or one `[ny, nx]`) side by side, left to right in stored order
    /// (decreasing power), each with hue = phase and brightness = amplitude scaled to that mode's own
    /// maximum, so weak modes stay visible. Modes are separated by a grey gap.
    public static func probeModes(_ probe: ComplexArray) -> RasterImage {
        let (ny, nx) = planeExtent(probe.shape)
        let modes = probe.shape.count == 3 ? probe.shape[0] : 1
        let gap = max(1, nx / 32)
        let width = modes * nx + (modes - 1) * gap
        var image = RasterImage(width: width, height: ny, format: .rgb, fill: modeSeparatorColour)
        for k in 0..<modes {
            let mode = probe.pointer + 2 * k * ny * nx
            var peak: Float = 0
            for i in 0..<(ny * nx) { peak = max(peak, mode[2 * i] * mode[2 * i] + mode[2 * i + 1] * mode[2 * i + 1]) }
            let maxAmplitude = peak.squareRoot()
            let left = k * (nx + gap)
            for r in 0..<ny {
                for c in 0..<nx {
                    let i = r * nx + c
                    image.setColour(row: r, column: left + c,
                                    complexColour(re: mode[2 * i], im: mode[2 * i + 1], maxAmplitude: maxAmplitude))
                }
            }
        }
        return image.scaledForDisplay()
    }
}
