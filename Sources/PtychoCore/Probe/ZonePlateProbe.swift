import Foundation

/// The focus of a Fresnel zone plate (first order), propagated `defocus` m downstream of the focus.
///
/// A zone plate of diameter D and outer-zone width dr has the focal length f = D·dr/λ and the numerical
/// aperture NA = D/(2f) = λ/(2dr). Its focus is the Fourier transform of the lens pupil: in the spectrum of
/// the probe the pupil is a disk of radius q_max = NA/λ = 1/(2dr), with the central stop of diameter d_s
/// removing q < q_max·d_s/D (the annulus of a stopped lens). In focus that is an Airy pattern whose first
/// zero lies at 1.22·dr (intensity FWHM ≈ 1.03·dr); at a distance z from the focus the beam is about
/// D·|z|/f across. Positive `defocus` puts the sample downstream of the focus; the other sign mirrors the
/// propagation phase, which leaves the intensity unchanged.
///
/// The frame resolves the focus only while dr is larger than the object pixel (q_max inside the frame's
/// spectrum); a finer zone plate is cut off at the frame's edge frequency.
public enum ZonePlateProbe {
    /// f = D·dr/λ, m.
    public static func focalLength(diameter: Double, outerZoneWidth: Double, wavelength: Double) -> Double {
        diameter * outerZoneWidth / wavelength
    }

    /// `[ny, nx]`, centred, Σ|P|² = `totalPower`.
    public static func make(geometry: ExperimentGeometry, diameter: Double, outerZoneWidth: Double,
                            centralStop: Double, defocus: Double, totalPower: Double) -> ComplexArray {
        precondition(diameter > 0 && outerZoneWidth > 0 && centralStop >= 0 && centralStop < diameter && totalPower > 0,
                     "invalid zone plate")
        let focal = focalLength(diameter: diameter, outerZoneWidth: outerZoneWidth, wavelength: geometry.wavelength)
        let maximumFrequency = diameter / (2 * focal * geometry.wavelength)   // NA/λ = 1/(2dr)
        let stopFrequency = maximumFrequency * centralStop / diameter
        // Soft pupil edges one spectrum pixel wide, as ApertureProbe's.
        let step = (1 / (Double(geometry.frameHeight) * geometry.objectPixelSize.y)
                    + 1 / (Double(geometry.frameWidth) * geometry.objectPixelSize.x)) / 2
        let wave = FresnelPropagation.wave(fromSpectrum: { qy, qx in
            let radius = (qy * qy + qx * qx).squareRoot() / step
            var amplitude = ApertureProbe.pupilAmplitude(radius: radius, apertureRadius: maximumFrequency / step)
            if centralStop > 0 {
                let blocked = ApertureProbe.pupilAmplitude(radius: radius, apertureRadius: stopFrequency / step)
                amplitude *= (1 - blocked * blocked).squareRoot()
            }
            guard amplitude > 0 else { return (0, 0) }
            let f = FresnelPropagation.factor(distance: defocus, wavelength: geometry.wavelength, qy: qy, qx: qx)
            return (amplitude * f.re, amplitude * f.im)
        }, geometry: geometry)
        return SampleWave.scaled(wave, to: totalPower)
    }
}
