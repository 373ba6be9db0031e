import Foundation

/// Paraxial free-space propagation of centred `[ny, nx]` waves in the angular-spectrum picture, with the
/// conventions of `ApertureProbe`: the far field is the forward FFT, spatial frequency q = k/(N·dx) for the
/// k-th pixel from the centre, and propagating a distance z downstream multiplies the spectrum by
/// exp(−iπλz|q|²) (so `ApertureProbe`'s pupil phase exp(+iπλΔz|q|²) puts the focus Δz downstream).
///
/// The transform is periodic: a wave that spreads beyond the frame wraps around, so distances are only
/// meaningful while the beam stays inside the frame (as for any probe that fits the data).
public enum FresnelPropagation {
    /// exp(−iπλz|q|²): the spectrum's factor for propagating `distance` m downstream.
    public static func factor(distance: Double, wavelength: Double, qy: Double, qx: Double) -> (re: Double, im: Double) {
        let phase = -Double.pi * wavelength * distance * (qy * qy + qx * qx)
        return (cos(phase), sin(phase))
    }

    /// Propagates `wave` (`[ny, nx]` or `[1, ny, nx]`, centred on `[ny/2, nx/2]`) by `distance` m in place.
    /// The total power is kept (the factor has unit modulus and the transforms are normalised).
    public static func propagate(_ wave: ComplexArray, distance: Double, geometry: ExperimentGeometry) {
        guard distance != 0 else { return }
        let ny = geometry.frameHeight, nx = geometry.frameWidth
        precondition(wave.count == ny * nx, "wave and geometry frame sizes differ")
        let scratch = ComplexArray(shape: [ny, nx])
        let plan = FFTPlan2D(height: ny, width: nx, effort: .estimate)
        let values = wave.pointer
        withExtendedLifetime(scratch) {
            FFTShift.apply(values, height: ny, width: nx, scratch: scratch.pointer, inverse: true)
            plan.forward(values)
            FFTShift.apply(values, height: ny, width: nx, scratch: scratch.pointer)
            forEachFrequency(geometry) { index, qy, qx in
                let f = factor(distance: distance, wavelength: geometry.wavelength, qy: qy, qx: qx)
                let re = Double(values[2 * index]), im = Double(values[2 * index + 1])
                // The unnormalised forward and inverse FFTs together scale by n: undo it here.
                let scale = 1 / Double(ny * nx)
                values[2 * index] = Float((re * f.re - im * f.im) * scale)
                values[2 * index + 1] = Float((re * f.im + im * f.re) * scale)
            }
            FFTShift.apply(values, height: ny, width: nx, scratch: scratch.pointer, inverse: true)
            plan.inverse(values)
            FFTShift.apply(values, height: ny, width: nx, scratch: scratch.pointer)
        }
    }

    /// The centred sample-plane wave `[ny, nx]` whose centred spectrum is `spectrum(qy, qx)` (an
    /// unnormalised inverse FFT: callers scale the power afterwards).
    public static func wave(fromSpectrum spectrum: (_ qy: Double, _ qx: Double) -> (re: Double, im: Double),
                            geometry: ExperimentGeometry) -> ComplexArray {
        let ny = geometry.frameHeight, nx = geometry.frameWidth
        let wave = ComplexArray(shape: [ny, nx])
        let values = wave.pointer
        forEachFrequency(geometry) { index, qy, qx in
            let value = spectrum(qy, qx)
            values[2 * index] = Float(value.re)
            values[2 * index + 1] = Float(value.im)
        }
        let scratch = ComplexArray(shape: [ny, nx])
        withExtendedLifetime(scratch) {
            FFTShift.apply(values, height: ny, width: nx, scratch: scratch.pointer, inverse: true)
            FFTPlan2D(height: ny, width: nx, effort: .estimate).inverse(values)
            FFTShift.apply(values, height: ny, width: nx, scratch: scratch.pointer)
        }
        return wave
    }

    /// Calls `body(index, qy, qx)` for every pixel of a centred spectrum of the geometry's frame, q in 1/m.
    static func forEachFrequency(_ geometry: ExperimentGeometry, _ body: (Int, Double, Double) -> Void) {
        let ny = geometry.frameHeight, nx = geometry.frameWidth
        let stepY = 1 / (Double(ny) * geometry.objectPixelSize.y), stepX = 1 / (Double(nx) * geometry.objectPixelSize.x)
        for row in 0..<ny {
            let qy = Double(row - ny / 2) * stepY
            for column in 0..<nx { body(row * nx + column, qy, Double(column - nx / 2) * stepX) }
        }
    }
}
