import CLAPACKE

/// Orthogonalises mixed-state probe modes (Thibault & Menzel, Nature 494, 68 (2013)): the eigenvectors of
/// the K×K Gram matrix G_kl = ⟨P_k, P_l⟩ = Σ_r P_k*(r)·P_l(r) give new modes Q_a = Σ_l V_la·P_l, ordered by
/// decreasing eigenvalue λ_a = ‖Q_a‖² (the mode's power).
///
/// Invariants of the change of basis (V is unitary):
/// - the new modes are mutually orthogonal, ⟨Q_a, Q_b⟩ = λ_a·δ_ab, and ordered by decreasing power;
/// - they span the same space, and the incoherent sum Σ_k |P_k(r)|² at every pixel is unchanged, so the
///   model intensities Σ_k |F(P_k·O_j)|² and every engine's fit to the data are unchanged.
///
/// Each column of V is given the phase that makes its largest component real and positive, so modes that
/// are already orthogonal and in order come back unchanged (V = identity) instead of picking up
/// arbitrary global phases from one iteration to the next.
///
/// Everything (the Gram matrix, LAPACK's workspace, a `[K, ny, nx]` scratch) is allocated once, at init.
public final class ProbeModeOrthogonaliser: @unchecked Sendable {
    public let modes: Int
    public let pixels: Int
    /// K×K Gram matrix, column-major (LAPACK's own layout, so LAPACKE does not transpose a copy);
    /// overwritten by cheev with the eigenvectors.
    private let matrix: UnsafeMutablePointer<ptychite_complex_float>
    private let eigenvalues: UnsafeMutablePointer<Float>
    private let work: UnsafeMutablePointer<ptychite_complex_float>
    private let workCount: Int32
    private let realWork: UnsafeMutablePointer<Float>
    /// V_la (mode l into new mode a), interleaved complex, `basis[2·(a·K + l)]`, columns already in
    /// decreasing-power order.
    public let basis: UnsafeMutablePointer<Float>
    /// New eigenvalues λ_a (powers), decreasing, from the last `decompose`.
    public let powers: UnsafeMutablePointer<Float>
    /// `[K, pixels]` output of `transform` before it is copied back.
    let scratch: ComplexArray

    public init(modes: Int, pixels: Int) {
        precondition(modes >= 1 && pixels >= 1)
        self.modes = modes
        self.pixels = pixels
        matrix = .allocate(capacity: modes * modes)
        eigenvalues = .allocate(capacity: modes)
        realWork = .allocate(capacity: max(1, 3 * modes - 2))
        basis = .allocate(capacity: 2 * modes * modes)
        powers = .allocate(capacity: modes)
        scratch = ComplexArray(shape: [modes, pixels])
        // Workspace query (lwork = −1): LAPACK returns the optimal size in work[0].
        var query = ptychite_complex_float(re: 0, im: 0)
        _ = LAPACKE_cheev_work(LAPACK_COL_MAJOR, Self.vectors, Self.upper, Int32(modes), matrix, Int32(modes),
                               eigenvalues, &query, -1, realWork)
        workCount = max(Int32(query.re), Int32(max(1, 2 * modes - 1)))
        work = .allocate(capacity: Int(workCount))
    }

    deinit {
        matrix.deallocate(); eigenvalues.deallocate(); realWork.deallocate(); work.deallocate()
        basis.deallocate(); powers.deallocate()
    }

    private static let vectors = CChar(UInt8(ascii: "V"))
    private static let upper = CChar(UInt8(ascii: "U"))

    /// Computes V from the modes `probe` (`[K, pixels]` interleaved). Returns `false` (and leaves V
    /// undefined) when there is nothing to do: one mode, no power, or LAPACK failing to converge.
    public func decompose(probe: UnsafePointer<Float>) -> Bool {
        guard modes > 1 else { return false }
        let k = modes
        // Gram matrix in double precision: the small modes' inner products are sums of many tiny terms.
        for a in 0..<k {
            for b in a..<k {
                let p = probe + 2 * a * pixels, q = probe + 2 * b * pixels
                var re = 0.0, im = 0.0
                for i in 0..<pixels {
                    let pr = Double(p[2 * i]), pi = Double(p[2 * i + 1])
                    let qr = Double(q[2 * i]), qi = Double(q[2 * i + 1])
                    re += pr * qr + pi * qi     // conj(P_a)·P_b
                    im += pr * qi - pi * qr
                }
                matrix[a + b * k] = ptychite_complex_float(re: Float(re), im: Float(im))
                matrix[b + a * k] = ptychite_complex_float(re: Float(re), im: Float(-im))
            }
        }
        var trace: Float = 0
        for a in 0..<k { trace += matrix[a + a * k].re }
        guard trace > 0, trace.isFinite else { return false }
        let status = LAPACKE_cheev_work(LAPACK_COL_MAJOR, Self.vectors, Self.upper, Int32(k), matrix, Int32(k),
                                        eigenvalues, work, workCount, realWork)
        guard status == 0 else { return false }
        // cheev orders eigenvalues ascending: new mode a takes column k − 1 − a.
        for a in 0..<k {
            let column = k - 1 - a
            powers[a] = max(0, eigenvalues[column])
            var largest = 0, largestMagnitude: Float = -1
            for l in 0..<k {
                let v = matrix[l + column * k]
                let magnitude = v.re * v.re + v.im * v.im
                if magnitude > largestMagnitude { largestMagnitude = magnitude; largest = l }
            }
            // Multiply the column by conj(v)/|v| of its largest component.
            let pivot = matrix[largest + column * k]
            let norm = max(largestMagnitude.squareRoot(), .leastNormalMagnitude)
            let cr = pivot.re / norm, ci = -pivot.im / norm
            for l in 0..<k {
                let v = matrix[l + column * k]
                basis[2 * (a * k + l)] = v.re * cr - v.im * ci
                basis[2 * (a * k + l) + 1] = v.re * ci + v.im * cr
            }
        }
        return true
    }

    /// waves_a ← Σ_l V_la·waves_l in place, for `K` consecutive complex arrays of `pixels` elements (the
    /// probe, or one frame's exit waves), through `output` (`[K, pixels]`, not overlapping `waves`).
    public func transform(_ waves: UnsafeMutablePointer<Float>, through output: UnsafeMutablePointer<Float>) {
        let k = modes, n = pixels
        for a in 0..<k {
            let out = output + 2 * a * n
            out.update(repeating: 0, count: 2 * n)
            for l in 0..<k {
                let vr = basis[2 * (a * k + l)], vi = basis[2 * (a * k + l) + 1]
                let w = UnsafePointer(waves + 2 * l * n)
                for i in 0..<n {
                    let wr = w[2 * i], wi = w[2 * i + 1]
                    out[2 * i] += vr * wr - vi * wi
                    out[2 * i + 1] += vr * wi + vi * wr
                }
            }
        }
        waves.update(from: output, count: 2 * k * n)
    }

    /// Orthogonalises `probe` (`[K, pixels]`) in place; returns whether it changed (see `decompose`).
    @discardableResult
    public func orthogonalise(_ probe: UnsafeMutablePointer<Float>) -> Bool {
        guard decompose(probe: probe) else { return false }
        transform(probe, through: scratch.pointer)
        return true
    }
}
