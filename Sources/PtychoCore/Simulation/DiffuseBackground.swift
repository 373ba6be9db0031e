/// A smooth diffuse background for simulations: a Lorentzian in the scattering vector,
/// B(q) ∝ 1 / (1 + (|q|/q₀)²) with q₀ = an eighth of the frame, scaled so that its mean over the detector
/// is `level` photons per pixel. It falls by about 17× from the centre to the frame's edge, like air and
/// window scattering, and is the same in every frame. Centred layout (zero frequency at `[ny/2, nx/2]`).
public enum DiffuseBackground {
    public static func make(level: Double, height: Int, width: Int) -> RealArray {
        let background = RealArray(shape: [height, width])
        let q0 = Double(min(height, width)) / 8
        var sum = 0.0
        for r in 0..<height {
            for c in 0..<width {
                let dy = Double(r - height / 2), dx = Double(c - width / 2)
                let value = 1 / (1 + (dy * dy + dx * dx) / (q0 * q0))
                background.storage[r * width + c] = Float(value)
                sum += value
            }
        }
        let scale = Float(level * Double(height * width) / sum)
        for i in 0..<background.count { background.storage[i] *= scale }
        return background
    }
}
