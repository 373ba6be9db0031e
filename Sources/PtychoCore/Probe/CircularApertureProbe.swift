import Foundation

/// A uniformly lit circular aperture of diameter D in a plane `defocus` m upstream of the sample (PyNX's
/// "disc" guess): flat phase, a one-pixel soft edge with the intensity ½ at radius D/2 (as
/// `ApertureProbe.pupilAmplitude`), then Fresnel propagation to the sample. With no defocus the beam at
/// the sample is the aperture itself, D across at half intensity.
public enum CircularApertureProbe {
    /// `[ny, nx]`, centred, Σ|P|² = `totalPower`.
    public static func make(geometry: ExperimentGeometry, diameter: Double, defocus: Double,
                            totalPower: Double) -> ComplexArray {
        precondition(diameter > 0 && totalPower > 0, "invalid circular aperture")
        let pixel = (geometry.objectPixelSize.y + geometry.objectPixelSize.x) / 2
        let wave = SampleWave.make(geometry: geometry) { y, x in
            ApertureProbe.pupilAmplitude(radius: (y * y + x * x).squareRoot() / pixel, apertureRadius: diameter / 2 / pixel)
        }
        FresnelPropagation.propagate(wave, distance: defocus, geometry: geometry)
        return SampleWave.scaled(wave, to: totalPower)
    }
}
