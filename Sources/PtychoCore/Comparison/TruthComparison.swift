import Foundation

/// Tuning of `TruthComparison.compare`; the defaults suit simulated ptychography results.
public struct ComparisonOptions: Sendable, Equatable {
    /// Pixels whose illumination is at least this fraction of its maximum are compared.
    public var illuminationFraction: Double
    /// Sub-pixel registration grid is 1/upsampling pixels (then refined by a parabola).
    public var upsampling: Int
    /// Alternations of registration and scale/ramp fitting; each uses the previous ramp.
    public var refinementPasses: Int

    public init(illuminationFraction: Double = 0.15, upsampling: Int = SubpixelRegistration.defaultUpsampling,
                refinementPasses: Int = 3) {
        self.illuminationFraction = illuminationFraction
        self.upsampling = upsampling
        self.refinementPasses = refinementPasses
    }
}

/// Compares a reconstructed object with the known truth of a simulation, removing what ptychography cannot
/// determine: a global complex factor (phase and amplitude scale), a linear phase ramp and a translation.
///
/// Steps: (1) match the two arrays' origins to the nearest pixel and crop both to their overlap; (2) take
/// the well-illuminated part of it as the compared region, softly tapered before any FFT; (3) estimate the
/// ramp from the offset between the two Fourier magnitude spectra (a ramp translates the spectrum, a shift
/// leaves its magnitude alone, so this needs no registration and tolerates ramps of any size);
/// (4) alternately register the de-ramped truth against the reconstruction by upsampled cross-correlation,
/// Fourier-shift the reconstruction, and refit the complex scale and ramp by weighted least squares;
/// (5) report the complex NRMSE and the FRC of the aligned pair.
public enum TruthComparison {
    /// Fewest overlapping pixels per axis for a meaningful comparison.
    public static let minimumOverlap = 16

    /// - Parameters:
    ///   - reconstruction, truth: `[H, W]` or `[k, H, W]` complex objects (first mode compared), same pixel
    ///     size, any extents.
    ///   - reconstructionOrigin, truthOrigin: the (fractional) pixel of each array at position (0, 0).
    ///   - illumination: the result's `[H, W]` (or `[1, H, W]`) illumination on the reconstruction's grid;
    ///     nil compares the whole overlap.
    ///   - pixelSize: object pixel size, m, used only for the FRC's frequency axis.
    public static func compare(reconstruction: ComplexArray, reconstructionOrigin: (row: Double, column: Double),
                               illumination: RealArray?, truth: ComplexArray,
                               truthOrigin: (row: Double, column: Double), pixelSize: (y: Double, x: Double),
                               options: ComparisonOptions = ComparisonOptions()) throws -> ComparisonReport {
        guard let re = ComparisonPlane.extent(of: reconstruction.shape) else {
            throw ComparisonError.badShape("reconstruction has shape \(reconstruction.shape)")
        }
        guard let te = ComparisonPlane.extent(of: truth.shape) else {
            throw ComparisonError.badShape("truth has shape \(truth.shape)")
        }
        if let illumination {
            guard let ie = ComparisonPlane.extent(of: illumination.shape), ie == re else {
                throw ComparisonError.badShape("illumination \(illumination.shape) does not match object \(re)")
            }
        }
        // Truth pixel = reconstruction pixel + origin difference; its integer part is absorbed by cropping.
        let originDifference = (row: truthOrigin.row - reconstructionOrigin.row,
                                column: truthOrigin.column - reconstructionOrigin.column)
        let offset = (row: Int(originDifference.row.rounded()), column: Int(originDifference.column.rounded()))
        let rowLow = max(0, -offset.row), rowHigh = min(re.height, te.height - offset.row)
        let colLow = max(0, -offset.column), colHigh = min(re.width, te.width - offset.column)
        guard rowHigh - rowLow >= minimumOverlap && colHigh - colLow >= minimumOverlap else {
            throw ComparisonError.overlapTooSmall(rows: max(0, rowHigh - rowLow), columns: max(0, colHigh - colLow),
                                                  minimum: minimumOverlap)
        }
        let rows = rowLow..<rowHigh, columns = colLow..<colHigh
        let truthRows = (rowLow + offset.row)..<(rowHigh + offset.row)
        let truthColumns = (colLow + offset.column)..<(colHigh + offset.column)
        let h = rows.count, w = columns.count
        let recon = ComparisonPlane.crop(reconstruction, sourceWidth: re.width, rows: rows, columns: columns)
        let target = ComparisonPlane.crop(truth, sourceWidth: te.width, rows: truthRows, columns: truthColumns)
        let illuminated = illuminatedRegion(illumination, width: re.width, rows: rows, columns: columns,
                                            fraction: options.illuminationFraction)
        guard illuminated.contains(where: { $0 > 0 }) else { throw ComparisonError.nothingIlluminated }

        let plan = FFTPlan2D(height: h, width: w, effort: .estimate)
        let taper = SoftTaper.make(region: illuminated, height: h, width: w,
                                   radius: SoftTaper.defaultRadius(height: h, width: w))
        var ramp = spectralRampEstimate(recon: recon, truth: target, taper: taper, plan: plan,
                                        upsampling: options.upsampling)
        var shift = (row: 0.0, column: 0.0)
        var fit = ScaleAndRampFit(scale: (1, 0), ramp: ramp)
        var weight = illuminated
        let aligned = ComplexArray(copying: recon)
        for _ in 0..<max(1, options.refinementPasses) {
            // Registering the already-aligned reconstruction measures only the residual shift; the
            // shared taper biases a measured shift towards zero in proportion to it, so this converges.
            let residual = registration(recon: aligned, truth: target, ramp: ramp, taper: taper, plan: plan,
                                        upsampling: options.upsampling)
            shift = (shift.row + residual.row, shift.column + residual.column)
            aligned.pointer.update(from: recon.pointer, count: 2 * h * w)
            FourierShift.apply(to: aligned, by: shift, plan: plan)
            weight = shiftedRegion(illuminated, height: h, width: w, shift: shift)
            guard weight.contains(where: { $0 > 0 }) else { throw ComparisonError.nothingIlluminated }
            fit = ScaleAndRampFit.fit(aligned: aligned, truth: target, weight: weight, height: h, width: w,
                                      initialRamp: ramp)
            ramp = fit.ramp
        }
        fit.ramp.apply(to: aligned, height: h, width: w, factor: fit.scale)

        let frc = alignedFRC(aligned: aligned, truth: target, weight: weight, height: h, width: w,
                             pixelSize: pixelSize)
        return ComparisonReport(
            nrmse: nrmse(aligned: aligned, truth: target, weight: weight),
            shift: (shift.row - (originDifference.row - Double(offset.row)),
                    shift.column - (originDifference.column - Double(offset.column))),
            registrationShift: shift, phaseRamp: fit.ramp,
            globalScale: ((fit.scale.re * fit.scale.re + fit.scale.im * fit.scale.im).squareRoot(),
                          atan2(fit.scale.im, fit.scale.re)),
            frc: frc, comparedPixelCount: weight.reduce(0) { $0 + ($1 > 0 ? 1 : 0) },
            truthRows: truthRows, truthColumns: truthColumns)
    }

    /// 1 where the illumination reaches `fraction` of its maximum over the whole array, else 0.
    static func illuminatedRegion(_ illumination: RealArray?, width: Int, rows: Range<Int>, columns: Range<Int>,
                                  fraction: Double) -> [Float] {
        guard let illumination else { return [Float](repeating: 1, count: rows.count * columns.count) }
        let cropped = ComparisonPlane.crop(real: illumination, sourceWidth: width, rows: rows, columns: columns)
        let peak = illumination.storage.max() ?? 0
        let level = Float(fraction) * peak
        return cropped.map { peak > 0 && $0 >= level ? 1 : 0 }
    }

    /// The ramp (as a translation of the Fourier magnitude spectrum, in frequency bins) between the tapered
    /// reconstruction and truth: |F[T]|(q) ≈ |F[R]|(q − κ) for T ≈ c·exp(2πi κ·r/N)·R(r − s), whatever s.
    static func spectralRampEstimate(recon: ComplexArray, truth: ComplexArray, taper: [Float], plan: FFTPlan2D,
                                     upsampling: Int) -> PhaseRamp {
        let h = plan.height, w = plan.width
        func magnitudeSpectrum(_ image: ComplexArray) -> ComplexArray {
            let out = ComplexArray(copying: image)
            let p = out.pointer
            for i in 0..<out.count { p[2 * i] *= taper[i]; p[2 * i + 1] *= taper[i] }
            plan.forward(p)
            for i in 0..<out.count {
                p[2 * i] = (p[2 * i] * p[2 * i] + p[2 * i + 1] * p[2 * i + 1]).squareRoot()
                p[2 * i + 1] = 0
            }
            return out
        }
        let bins = SubpixelRegistration.shift(of: magnitudeSpectrum(recon), relativeTo: magnitudeSpectrum(truth),
                                              plan: plan, upsampling: upsampling)
        return PhaseRamp(radiansPerRow: 2 * Double.pi * bins.row / Double(h),
                         radiansPerColumn: 2 * Double.pi * bins.column / Double(w))
    }

    /// Registers the reconstruction against the truth with `ramp` removed from the truth. Both are reduced
    /// to `taper·(image − weighted mean)` so that the shared taper adds no peak at zero shift.
    static func registration(recon: ComplexArray, truth: ComplexArray, ramp: PhaseRamp, taper: [Float],
                             plan: FFTPlan2D, upsampling: Int) -> (row: Double, column: Double) {
        let h = plan.height, w = plan.width
        func prepared(_ image: ComplexArray, removing ramp: PhaseRamp?) -> ComplexArray {
            let out = ComplexArray(copying: image)
            ramp?.apply(to: out, height: h, width: w, conjugate: true)
            let mean = ComparisonPlane.weightedSum(out, weight: taper)
            let total = Double(taper.reduce(0, +))
            let (mr, mi) = total > 0 ? (Float(mean.re / total), Float(mean.im / total)) : (0, 0)
            let p = out.pointer
            for i in 0..<out.count {
                p[2 * i] = taper[i] * (p[2 * i] - mr)
                p[2 * i + 1] = taper[i] * (p[2 * i + 1] - mi)
            }
            return out
        }
        return SubpixelRegistration.shift(of: prepared(recon, removing: nil),
                                          relativeTo: prepared(truth, removing: ramp),
                                          plan: plan, upsampling: upsampling)
    }

    /// `region` moved by the rounded `shift` (as the reconstruction was), with the band that the circular
    /// shift wrapped in from the opposite edge zeroed.
    static func shiftedRegion(_ region: [Float], height h: Int, width w: Int,
                              shift: (row: Double, column: Double)) -> [Float] {
        let dr = Int(shift.row.rounded()), dc = Int(shift.column.rounded())
        // Shifts within a hundredth of a whole pixel wrap nothing worth excluding.
        func band(_ s: Double) -> Int { s > 0 ? Int((s - 0.01).rounded(.up)) : 0 }
        let top = band(shift.row), bottom = band(-shift.row)
        let left = band(shift.column), right = band(-shift.column)
        var out = [Float](repeating: 0, count: h * w)
        for r in top..<max(top, h - bottom) where r - dr >= 0 && r - dr < h {
            for c in left..<max(left, w - right) where c - dc >= 0 && c - dc < w {
                out[r * w + c] = region[(r - dr) * w + (c - dc)]
            }
        }
        return out
    }

    static func nrmse(aligned: ComplexArray, truth: ComplexArray, weight: [Float]) -> Double {
        var error = 0.0, norm = 0.0
        let a = aligned.pointer, t = truth.pointer
        for i in 0..<aligned.count where weight[i] > 0 {
            let dr = Double(a[2 * i]) - Double(t[2 * i]), di = Double(a[2 * i + 1]) - Double(t[2 * i + 1])
            let tr = Double(t[2 * i]), ti = Double(t[2 * i + 1])
            error += Double(weight[i]) * (dr * dr + di * di)
            norm += Double(weight[i]) * (tr * tr + ti * ti)
        }
        return norm > 0 ? (error / norm).squareRoot() : .infinity
    }

    /// FRC over the bounding box of the compared pixels, both images multiplied by a soft taper of them.
    static func alignedFRC(aligned: ComplexArray, truth: ComplexArray, weight: [Float], height h: Int, width w: Int,
                           pixelSize: (y: Double, x: Double)) -> FRCCurve {
        var rowLow = h, rowHigh = 0, colLow = w, colHigh = 0
        for r in 0..<h {
            for c in 0..<w where weight[r * w + c] > 0 {
                rowLow = min(rowLow, r); rowHigh = max(rowHigh, r + 1)
                colLow = min(colLow, c); colHigh = max(colHigh, c + 1)
            }
        }
        let rows = rowLow..<rowHigh, columns = colLow..<colHigh
        let region = rows.flatMap { r in columns.map { c in weight[r * w + c] } }
        let taper = SoftTaper.make(region: region, height: rows.count, width: columns.count,
                                   radius: SoftTaper.defaultRadius(height: rows.count, width: columns.count))
        let a = ComparisonPlane.crop(aligned, sourceWidth: w, rows: rows, columns: columns)
        let t = ComparisonPlane.crop(truth, sourceWidth: w, rows: rows, columns: columns)
        for i in 0..<a.count {
            a.pointer[2 * i] *= taper[i]; a.pointer[2 * i + 1] *= taper[i]
            t.pointer[2 * i] *= taper[i]; t.pointer[2 * i + 1] *= taper[i]
        }
        return FourierRingCorrelation.curve(a, t, pixelSize: pixelSize)
    }
}
