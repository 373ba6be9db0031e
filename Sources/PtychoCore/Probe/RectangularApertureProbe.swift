/// A uniformly lit rectangular aperture `width` (x) × `height` (y) in a plane `defocus` m upstream of the
/// sample (e.g. slits or a KB-mirror beam): flat phase, one-pixel soft edges with the intensity ½ at the
/// nominal edges, then Fresnel propagation. With no defocus the beam is width × height at half intensity.
public enum RectangularApertureProbe {
    /// `[ny, nx]`, centred, Σ|P|² = `totalPower`.
    public static func make(geometry: ExperimentGeometry, width: Double, height: Double, defocus: Double,
                            totalPower: Double) -> ComplexArray {
        precondition(width > 0 && height > 0 && totalPower > 0, "invalid rectangular aperture")
        let pixel = geometry.objectPixelSize
        let wave = SampleWave.make(geometry: geometry) { y, x in
            // Each edge factor's square is the intensity smoothstep, so the product is ½ on an edge.
            ApertureProbe.pupilAmplitude(radius: abs(x) / pixel.x, apertureRadius: width / 2 / pixel.x)
                * ApertureProbe.pupilAmplitude(radius: abs(y) / pixel.y, apertureRadius: height / 2 / pixel.y)
        }
        FresnelPropagation.propagate(wave, distance: defocus, geometry: geometry)
        return SampleWave.scaled(wave, to: totalPower)
    }
}
