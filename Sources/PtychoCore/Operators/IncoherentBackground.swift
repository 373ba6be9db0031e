import Foundation

/// An incoherent background B ≥ 0 per detector pixel in the intensity model Î = Σ_k |Ψ_k|² + B, in
/// photons per pixel (the unitary intensity units of the data) and in the data's internal, fft-shifted
/// layout (zero frequency at the origin). B is the same for every frame: diffuse scattering from air and
/// windows, detector dark signal, fluorescence.
///
/// With B the modulus constraint scales every mode by √(I / Î) at good pixels (`FrameKernels.
/// modulusProjection`), so that Σ_k |Ψ'_k|² + B·I/Î = I; the Fourier error and Poisson NLL use Î with B.
///
/// Refinement, once per iteration, is the Poisson maximum-likelihood (EM, Richardson–Lucy) update with
/// the waves fixed. The likelihood Σ_j m·(Î_j − I_j·ln Î_j) has ∂/∂B(r) = Σ_j m·(1 − I_j/Î_j), which is
/// zero at the optimum. EM splits each pixel's counts between the two sources in proportion to their
/// share of Î: the background's expected share is I_j·B/Î_j, and the B that best explains those shares
/// over the N frames is
///   B ← B · (1/N) Σ_j I_j / Î_j        (good pixels; the same on every frame, so one B per pixel).
/// Every step raises the likelihood, B stays ≥ 0 without clipping, and B is unchanged exactly when the
/// gradient above is zero. Near the fixed point the error contracts by S/(S + B) per step where S is the
/// pixel's coherent signal: fast where the background matters (dim pixels), slow where it is negligible
/// against the signal. The ratios I/Î are those the modulus step computes anyway (no extra transform),
/// accumulated per worker during the sweep; for DM-like engines they are those of the wave the modulus
/// constraint acts on, which the power bound keeps at P·O.
///
/// Start: a multiplicative update cannot leave 0, so B starts at 1 % of the mean counts per good pixel
/// everywhere; dim pixels, where the model explains little, jump to their mean count at the first step.
/// Masked pixels carry no information and hold B = 0.
public final class IncoherentBackground: @unchecked Sendable {
    /// `[ny, nx]`, fft-shifted like `MeasuredData`; ≥ 0, 0 on masked pixels.
    public let values: RealArray
    /// Counts the changes of `values` made through `refine` and `restore`, so that a copy elsewhere (a
    /// device's) knows when it is stale.
    public private(set) var revision = 0
    /// Share of the mean counts per good pixel that B starts at.
    public static let initialShare: Float = 0.01

    public init(data: MeasuredData) {
        values = RealArray(shape: [data.frameHeight, data.frameWidth])
        let level = Float(data.maskedIntensitySum / max(data.observedPixelCount, 1)) * Self.initialShare
        for i in 0..<values.count { values.storage[i] = data.mask.storage[i] > 0 ? level : 0 }
    }

    /// B ← B · ratioSum / frames, with `ratioSum` = Σ_j m·I_j/Î_j over the `frames` frames projected
    /// since the last refinement.
    public func refine(ratioSum: UnsafePointer<Float>, frames: Int) {
        guard frames > 0 else { return }
        let scale = 1 / Float(frames), b = values.pointer
        for i in 0..<values.count { b[i] *= ratioSum[i] * scale }
        revision += 1
    }

    /// Copies saved values in (a resumed run); the shape must match.
    public func restore(from saved: RealArray) {
        precondition(saved.shape == values.shape, "saved background \(saved.shape) does not match \(values.shape)")
        values.pointer.update(from: saved.pointer, count: values.count)
        revision += 1
    }

    /// B in the detector layout of the files (zero frequency at `[ny/2, nx/2]`), a new array.
    public func detectorLayout() -> RealArray {
        let height = values.shape[0], width = values.shape[1]
        let copy = RealArray(shape: values.shape, values: values.floats())
        let scratch = RealArray(shape: values.shape)
        FFTShift.apply(real: copy.pointer, height: height, width: width, scratch: scratch.pointer, inverse: true)
        return copy
    }
}
