import Foundation

/// The focused-aperture probe model: a circular pupil in the far field (the bright disk every
/// far-field data set shows) with a defocus phase, propagated to the sample.
///
/// Used twice: by the simulation as the true beam, and by the reconstruction as its initial guess,
/// because a guess with the right beam size at the sample (not just the right far-field disk) is what
/// lets the engines converge (see `shared/notes/algorithms.md`, "Initial guesses").
///
/// Conventions: frames are `[ny, nx]` with the probe centred on pixel `[ny/2, nx/2]`; the far field of
/// the probe is the *forward* FFT (FFTW sign −1), matching the forward model, so the forward transform of
/// `make(...)` is the pupil again, centred after an fft-shift.
public enum ApertureProbe {
    /// Width of the pupil's soft edge, detector pixels. A hard edge rings across the whole sample frame;
    /// one pixel keeps the disk sharp while damping the ringing.
    public static let pupilEdgeWidth = 1.0

    /// A defocused, optionally astigmatic aperture probe at the sample.
    ///
    /// - Parameters:
    ///   - geometry: the frame size, wavelength and object pixel size come from here.
    ///   - apertureRadius: radius of the bright disk in the far field, detector pixels (circular in pixel
    ///     units; the intensity is ½ at this radius).
    ///   - beamDiameter: geometric beam diameter wanted at the sample, m; 0 puts the sample in focus.
    ///   - astigmatism: relative difference of the defocus along y and x: `Δz_y = Δz·(1 + a/2)`,
    ///     `Δz_x = Δz·(1 − a/2)`, so 0.2 makes the beam about 20 % taller than wide.
    ///   - totalPower: Σ|P|² over the frame.
    /// - Returns: `[ny, nx]`, centred on `[ny/2, nx/2]`, with Σ|P|² = `totalPower` (to float precision).
    public static func make(geometry: ExperimentGeometry, apertureRadius: Double, beamDiameter: Double,
                            astigmatism: Double = 0, totalPower: Double) -> ComplexArray {
        precondition(apertureRadius > 0 && beamDiameter >= 0 && totalPower > 0 && abs(astigmatism) < 2,
                     "invalid aperture probe parameters")
        let ny = geometry.frameHeight, nx = geometry.frameWidth
        let defocus = defocusDistance(geometry: geometry, apertureRadius: apertureRadius,
                                      beamDiameter: beamDiameter)
        let defocusY = defocus * (1 + astigmatism / 2)
        let defocusX = defocus * (1 - astigmatism / 2)
        let wavelength = geometry.wavelength
        // Spatial frequency of far-field pixel k from the centre: q = k / (N·dx); the pupil is in pixels k.
        let frequencyStepY = 1 / (Double(ny) * geometry.objectPixelSize.y)
        let frequencyStepX = 1 / (Double(nx) * geometry.objectPixelSize.x)
        let probe = FresnelPropagation.wave(fromSpectrum: { qy, qx in
            let ky = (qy / frequencyStepY).rounded(), kx = (qx / frequencyStepX).rounded()
            let amplitude = pupilAmplitude(radius: (ky * ky + kx * kx).squareRoot(), apertureRadius: apertureRadius)
            guard amplitude > 0 else { return (0, 0) }
            // Fresnel defocus in the angular-spectrum picture: exp(iπλΔz|q|²). With this FFT sign
            // convention Δz > 0 puts the sample upstream of the focus; the other sign would only
            // conjugate the probe (the pupil is real), leaving its intensity unchanged.
            let phase = Double.pi * wavelength * (defocusY * qy * qy + defocusX * qx * qx)
            return (amplitude * cos(phase), amplitude * sin(phase))
        }, geometry: geometry)
        return SampleWave.scaled(probe, to: totalPower)
    }

    /// Defocus distance Δz (m) that spreads the cone of half-angle θ = apertureRadius·p / z to
    /// `beamDiameter` at the sample: D ≈ 2θ|Δz| (geometric optics; diffraction adds about λ/θ).
    public static func defocusDistance(geometry: ExperimentGeometry, apertureRadius: Double,
                                       beamDiameter: Double) -> Double {
        let pixel = (geometry.detectorPixelSizeY + geometry.detectorPixelSizeX) / 2
        let halfAngle = apertureRadius * pixel / geometry.distance
        return beamDiameter / (2 * halfAngle)
    }

    /// Pupil amplitude: 1 inside, 0 outside; the *intensity* is a smoothstep across `pupilEdgeWidth`,
    /// ½ at the aperture radius, so the radius is where a measured disk falls to half its level (what
    /// `estimateApertureRadius` finds).
    static func pupilAmplitude(radius: Double, apertureRadius: Double) -> Double {
        let t = min(1, max(0, (apertureRadius - radius) / pupilEdgeWidth + 0.5))
        return (t * t * (3 - 2 * t)).squareRoot()
    }
}
