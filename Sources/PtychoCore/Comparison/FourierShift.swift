import Foundation

/// Band-limited (sinc) translation of a complex image by any real number of pixels, via the Fourier shift
/// theorem. The image is treated as periodic: content leaving one edge re-enters at the opposite edge.
public enum FourierShift {
    /// A new `[H, W]` array `g` with `g(r) = image(r − shift)`: content moves down and right for positive
    /// shifts. `image` is `[H, W]` or `[k, H, W]` (first plane used). An integer shift is an exact circular
    /// roll up to float rounding.
    public static func shifted(_ image: ComplexArray, by shift: (row: Double, column: Double)) -> ComplexArray {
        guard let extent = ComparisonPlane.extent(of: image.shape) else {
            preconditionFailure("Fourier shift needs [H, W] or [k, H, W], got \(image.shape)")
        }
        let plan = FFTPlan2D(height: extent.height, width: extent.width, effort: .estimate)
        let out = ComparisonPlane.crop(image, sourceWidth: extent.width,
                                       rows: 0..<extent.height, columns: 0..<extent.width)
        apply(to: out, by: shift, plan: plan)
        return out
    }

    /// Shifts the `[H, W]` array `image` in place with a caller-owned plan of its extent.
    static func apply(to image: ComplexArray, by shift: (row: Double, column: Double), plan: FFTPlan2D) {
        let h = plan.height, w = plan.width
        // exp(−2πi(q_y·s_y/H + q_x·s_x/W)) factorises into a row factor times a column factor.
        let rowPhase = (0..<h).map {
            -2 * Double.pi * Double(ComparisonPlane.signedFrequency($0, h)) * shift.row / Double(h)
        }
        let columnPhase = (0..<w).map {
            -2 * Double.pi * Double(ComparisonPlane.signedFrequency($0, w)) * shift.column / Double(w)
        }
        let rowFactor = rowPhase.map { (cos($0), sin($0)) }, columnFactor = columnPhase.map { (cos($0), sin($0)) }
        let scale = 1.0 / Double(h * w)
        plan.forward(image.pointer)
        let p = image.pointer
        for qy in 0..<h {
            let (ur, ui) = rowFactor[qy]
            for qx in 0..<w {
                let (vr, vi) = columnFactor[qx]
                let er = (ur * vr - ui * vi) * scale, ei = (ur * vi + ui * vr) * scale
                let i = 2 * (qy * w + qx)
                let (zr, zi) = (Double(p[i]), Double(p[i + 1]))
                p[i] = Float(zr * er - zi * ei)
                p[i + 1] = Float(zr * ei + zi * er)
            }
        }
        plan.inverse(image.pointer)
    }
}
