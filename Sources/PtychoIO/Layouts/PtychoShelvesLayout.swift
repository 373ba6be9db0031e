/// Dataset paths of PtychoShelves prepared data, `S%05d_data_%dx%d.h5` (spec: data-format.md).
///
/// The file holds no physical units: energy, distance and detector pixel size come from options.
public enum PtychoShelvesLayout {
    /// The group holding the measurement; named in errors about missing geometry options.
    public static let group = "/measurement/n0"
    /// float32 `(N, Ny, Nx)` intensities, fft-shifted (zero frequency at `[0, 0]`).
    public static let data = group + "/data"
    /// uint32 `(N, 2)` `[y, x]` top-left offsets of each frame's patch in the object, object pixels.
    public static let positions = group + "/positions"
}
