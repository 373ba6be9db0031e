extension ApertureProbe {
    /// Estimates the radius (detector pixels) of the bright central disk of a centred mean diffraction
    /// pattern: the radius where the azimuthal average falls to half the level inside the disk.
    ///
    /// Why half-level rather than an enclosed-power radius: the object scatters part of the power outside
    /// the disk (a halo whose share depends on the sample), which inflates any enclosed-power radius, while
    /// the disk edge stays a sharp drop. The level inside the disk is the median of the ring averages
    /// within 0.8 × the radius enclosing half the power, which ignores a hot centre or a small beamstop
    /// shadow; ring averages over ~2πr pixels beat down Poisson noise.
    ///
    /// - Parameters:
    ///   - meanPattern: `[height, width]` mean intensity, zero frequency at `[height/2, width/2]`.
    ///   - mask: optional `[height, width]` good-pixel mask (1 = good); bad pixels are left out of the rings.
    /// - Returns: the radius in pixels, interpolated between rings; 0 if the pattern holds no power.
    public static func estimateApertureRadius(meanPattern: UnsafePointer<Float>, height: Int, width: Int,
                                              mask: UnsafePointer<Float>? = nil) -> Double {
        precondition(height > 0 && width > 0)
        let ringCount = min(height, width) / 2 + 1
        var ringSums = [Double](repeating: 0, count: ringCount)
        var ringPixels = [Double](repeating: 0, count: ringCount)
        for row in 0..<height {
            let dy = Double(row - height / 2)
            for column in 0..<width {
                let index = row * width + column
                if let mask, mask[index] <= 0 { continue }
                let dx = Double(column - width / 2)
                let ring = Int((dy * dy + dx * dx).squareRoot().rounded())
                guard ring < ringCount else { continue }
                ringSums[ring] += Double(max(0, meanPattern[index]))
                ringPixels[ring] += 1
            }
        }
        let profile = (0..<ringCount).map { ringPixels[$0] > 0 ? ringSums[$0] / ringPixels[$0] : 0 }
        let totalPower = ringSums.reduce(0, +)
        guard totalPower > 0 else { return 0 }

        var enclosed = 0.0
        var halfPowerRing = ringCount - 1
        for ring in 0..<ringCount {
            enclosed += ringSums[ring]
            if enclosed >= totalPower / 2 { halfPowerRing = ring; break }
        }
        let innerRings = Array(profile[0...max(1, Int(0.8 * Double(halfPowerRing)))]).sorted()
        let halfLevel = innerRings[innerRings.count / 2] / 2

        for ring in max(1, Int(0.8 * Double(halfPowerRing)))..<ringCount where profile[ring] < halfLevel {
            let inside = profile[ring - 1], outside = profile[ring]
            let fraction = inside > outside ? (inside - halfLevel) / (inside - outside) : 0
            return Double(ring - 1) + min(1, max(0, fraction))
        }
        return Double(ringCount - 1)
    }
}
