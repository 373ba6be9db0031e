// Position refinement (issue 3, item 5): the per-frame shift estimate.
extension FrameKernels {
    /// Least-squares shift (rows, columns; object pixels) of frame j's patch that best explains the change
    /// the modulus projection asks for, to first order:
    ///   Δ_k = ψ'_k − P_k·O_j,   O_j(r + s) ≈ O_j(r) + s_y·∂_yO_j(r) + s_x·∂_xO_j(r),
    /// minimising Σ_k Σ_r |Δ_k − s_y·a_yk − s_x·a_xk|² with a_k = P_k·∂O_j: the 2×2 normal equations
    ///   [Σ|a_y|²  Σ Re(a_y*a_x); Σ Re(a_y*a_x)  Σ|a_x|²]·[s_y; s_x] = [Σ Re(a_y*Δ); Σ Re(a_x*Δ)].
    /// Each axis alone (s_x = Σ Re(Δ*·a_x) / Σ|a_x|², the gradient step of PtychoShelves and Pty-Chi) is
    /// what the normal equations reduce to when ∂_x and ∂_y are uncorrelated; they are not near oblique
    /// edges, where the one-axis estimates leak a shift along one axis into the other, so the pair is
    /// solved jointly, falling back to one axis at a time when the system is near singular (1-D texture).
    /// A positive s means the probe sits further along that axis than the patch: larger row or column.
    ///
    /// ∂ are central differences of the object, so the patch's outermost rows and columns (whose
    /// neighbours lie outside the patch) are left out: nothing outside the patch is read, and the probe is
    /// faint there anyway. `projected` holds ψ': the projected exit wave (ePIE, after `propagateBackward`,
    /// before the update) or DM's updated stored exit wave; `probe` and the object are the current ones. Returns NaN on an axis whose denominator
    /// vanishes (no probe or a flat object: no information). Uses `scratch.frame`'s first 5 rows.
    @inlinable
    public static func positionShift(projected: UnsafePointer<Float>, probe: UnsafePointer<Float>,
                                     patch: ObjectPatch, shape: FrameShape,
                                     scratch: KernelScratch) -> (row: Float, column: Float) {
        let width = shape.width, inner = width - 2
        precondition(shape.height >= 5 && width >= 3, "frames too small for a position estimate")
        // Column sums of the five terms over rows and modes, reduced once at the end.
        let numeratorX = scratch.frame, denominatorX = scratch.frame + width
        let numeratorY = scratch.frame + 2 * width, denominatorY = scratch.frame + 3 * width
        let crossTerms = scratch.frame + 4 * width
        numeratorX.update(repeating: 0, count: 5 * width)
        for r in 1..<(shape.height - 1) {
            // Pixel i of these rows is patch column i + 1.
            let o = UnsafePointer(patch.rowStart(r)) + 2, left = o - 2, right = o + 2
            let up = UnsafePointer(patch.rowStart(r - 1)) + 2, down = UnsafePointer(patch.rowStart(r + 1)) + 2
            for k in 0..<shape.modes {
                let offset = 2 * (k * shape.pixels + r * width + 1)
                let p = probe + offset, f = projected + offset
                for i in 0..<inner {
                    let pr = p[2 * i], pi = p[2 * i + 1], or = o[2 * i], oi = o[2 * i + 1]
                    let dxr = 0.5 * (right[2 * i] - left[2 * i]), dxi = 0.5 * (right[2 * i + 1] - left[2 * i + 1])
                    let dyr = 0.5 * (down[2 * i] - up[2 * i]), dyi = 0.5 * (down[2 * i + 1] - up[2 * i + 1])
                    let dr = f[2 * i] - (pr * or - pi * oi), di = f[2 * i + 1] - (pr * oi + pi * or)
                    let axr = pr * dxr - pi * dxi, axi = pr * dxi + pi * dxr      // P·∂_xO
                    let ayr = pr * dyr - pi * dyi, ayi = pr * dyi + pi * dyr      // P·∂_yO
                    numeratorX[i] += axr * dr + axi * di
                    denominatorX[i] += axr * axr + axi * axi
                    numeratorY[i] += ayr * dr + ayi * di
                    denominatorY[i] += ayr * ayr + ayi * ayi
                    crossTerms[i] += axr * ayr + axi * ayi
                }
            }
        }
        let nx = Reduction.sum(numeratorX, inner), dx = Reduction.sum(denominatorX, inner)
        let ny = Reduction.sum(numeratorY, inner), dy = Reduction.sum(denominatorY, inner)
        let cross = Reduction.sum(crossTerms, inner)
        let determinant = dy * dx - cross * cross
        guard determinant > 1e-3 * dy * dx else {
            return (row: dy > 0 ? ny / dy : .nan, column: dx > 0 ? nx / dx : .nan)
        }
        return (row: (dx * ny - cross * nx) / determinant, column: (dy * nx - cross * ny) / determinant)
    }
}
