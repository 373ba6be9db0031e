import Foundation

/// A Gaussian beam at its waist on the sample: flat phase, intensity exp(−4 ln2·r²/FWHM²), so the
/// intensity falls to half at r = FWHM/2.
public enum GaussianProbe {
    /// `[ny, nx]`, centred, Σ|P|² = `totalPower`.
    public static func make(geometry: ExperimentGeometry, fwhm: Double, totalPower: Double) -> ComplexArray {
        precondition(fwhm > 0 && totalPower > 0, "invalid Gaussian probe")
        let wave = SampleWave.make(geometry: geometry) { y, x in exp(-2 * log(2.0) * (y * y + x * x) / (fwhm * fwhm)) }
        return SampleWave.scaled(wave, to: totalPower)
    }
}
