import PtychoCore

/// Validation and corrections of one raw frame, in place.
///
/// Invariant on return: every value is finite and ≥ 0, bad pixels hold 0. Raw values are checked only on
/// good pixels, because detectors legitimately store -1 or NaN in gaps and dead pixels that the mask
/// flags; a bad value on a good pixel is an error, not something to clip silently.
struct FrameCorrections {
    let mask: RealArray
    /// Subtracted, then clipped at 0.
    let dark: [Float]?
    /// Divisor per frame, `monitor / mean(monitor)`.
    let monitorScale: [Float]?

    /// Validation only: every pixel good, no dark frame, no monitor (layouts that carry neither).
    static func validationOnly(frameHeight: Int, frameWidth: Int) -> FrameCorrections {
        let mask = RealArray(shape: [frameHeight, frameWidth])
        mask.fill(1)
        return FrameCorrections(mask: mask, dark: nil, monitorScale: nil)
    }

    func apply(to frame: UnsafeMutablePointer<Float>, frame index: Int, file: String, dataset: String) throws {
        let pixels = mask.count
        let width = mask.shape[1]
        let divisor = monitorScale?[index] ?? 1
        for pixel in 0..<pixels {
            guard mask[flat: pixel] > 0 else {
                frame[pixel] = 0
                continue
            }
            var value = frame[pixel]
            guard value.isFinite else {
                throw InputError.nonFiniteIntensity(file: file, dataset: dataset, frame: index,
                                                    row: pixel / width, column: pixel % width, value: value)
            }
            guard value >= 0 else {
                throw InputError.negativeIntensity(file: file, dataset: dataset, frame: index,
                                                   row: pixel / width, column: pixel % width, value: value)
            }
            if let dark { value = max(0, value - dark[pixel]) }
            frame[pixel] = value / divisor
        }
    }
}
