/// Dataset paths of PtyLab's flat HDF5 layout (spec: data-format.md): every dataset at the root.
public enum PtyLabLayout {
    /// float32 `(N, Nd, Nd)` intensities, centred.
    public static let ptychogram = "/ptychogram"
    /// Scalar, m.
    public static let wavelength = "/wavelength"
    /// `(N, 2)` probe positions `[x, y]`, m.
    public static let encoder = "/encoder"
    /// Scalar detector pixel pitch (square pixels), m.
    public static let detectorPixelSize = "/dxd"
    /// Scalar sample–detector distance, m.
    public static let distance = "/zo"
}
