/// Where a file puts the zero frequency of its diffraction frames.
public enum FrameOrder: Sendable, Equatable {
    /// Zero frequency at `[ny/2, nx/2]`: the file convention and the `DiffractionDataset` invariant.
    case centred
    /// Zero frequency at `[0, 0]` (PtychoShelves, tike): centred on read with `FFTShift`.
    case fftShifted
}
