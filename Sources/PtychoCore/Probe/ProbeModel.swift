/// How the initial probe is made (configuration key `probe_model`).
public enum ProbeModel: String, Sendable, CaseIterable {
    /// Focused circular aperture, beam size at the sample chosen by trial (`InitialProbe.chooseBeamDiameter`),
    /// or the given `probe_diameter`; the probe of `probe` (a result file) when that is given.
    case auto
    /// Circular aperture of `probe_diameter` at the aperture plane, propagated by `probe_defocus`.
    case circular
    /// Rectangular aperture `probe_width` × `probe_height`, propagated by `probe_defocus`.
    case rectangular
    /// Fresnel zone plate focus (`zone_plate_*`), propagated by `probe_defocus` from the focus.
    case zonePlate = "zone_plate"
    /// Gaussian beam with intensity FWHM `probe_fwhm` at the sample.
    case gaussian
    /// Mode(s) of a previous result file (`probe`).
    case file

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
