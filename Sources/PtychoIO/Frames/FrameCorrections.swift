import PtychoCore

/// Validation and corrections of one raw frame, in place.
///
/// Invariant on return: every value is finite and ≥ 0, bad pixels hold 0. Raw values are checked only on
/// good pixels, because detectors legitimately store -1 or NaN in gaps and dead pixels that the mask
/// flags; a bad value on a good pixel is an error, not something to clip silently, unless
/// `invalidValues` is `.mask`: the value becomes 0 and the pixel is recorded in `InvalidPixels`, for the
/// frame reader to mask in every frame.
struct FrameCorrections {
    let mask: RealArray
    /// Subtracted, then clipped at 0.
    let dark: [Float]?
    /// Divisor per frame, `monitor / mean(monitor)`.
    let monitorScale: [Float]?
    var invalidValues: InvalidValuePolicy = .refuse

    /// Validation only: every pixel good, no dark frame, no monitor (layouts that carry neither).
    static func validationOnly(frameHeight: Int, frameWidth: Int, invalidValues: InvalidValuePolicy) -> FrameCorrections {
        let mask = RealArray(shape: [frameHeight, frameWidth])
        mask.fill(1)
        return FrameCorrections(mask: mask, dark: nil, monitorScale: nil, invalidValues: invalidValues)
    }

    func apply(to frame: UnsafeMutablePointer<Float>, frame index: Int, file: String, dataset: String,
               invalid: inout InvalidPixels) throws {
        let pixels = mask.count
        let width = mask.shape[1]
        let divisor = monitorScale?[index] ?? 1
        for pixel in 0..<pixels {
            guard mask[flat: pixel] > 0 else {
                frame[pixel] = 0
                continue
            }
            var value = frame[pixel]
            guard value.isFinite, value >= 0 else {
                guard invalidValues == .mask else {
                    let (row, column) = (pixel / width, pixel % width)
                    throw value.isFinite
                        ? InputError.negativeIntensity(file: file, dataset: dataset, frame: index, row: row,
                                                       column: column, value: value)
                        : InputError.nonFiniteIntensity(file: file, dataset: dataset, frame: index, row: row,
                                                        column: column, value: value)
                }
                invalid.record(pixel: pixel, frame: index, value: value)
                frame[pixel] = 0
                continue
            }
            if let dark { value = max(0, value - dark[pixel]) }
            frame[pixel] = value / divisor
        }
    }
}

/// The detector pixels that held a negative or non-finite value on a good pixel in some frame, under
/// `InvalidValuePolicy.mask`, and the first such value, for the warning. A flag per pixel, not a set:
/// a detector's gaps repeat in every frame, so this is called for most of a frame's gap pixels each frame.
struct InvalidPixels {
    private var flags: [Bool]
    private(set) var pixelCount = 0
    private(set) var valueCount = 0
    private(set) var first: (pixel: Int, frame: Int, value: Float)?

    init(framePixels: Int) { flags = [Bool](repeating: false, count: framePixels) }

    /// The flagged pixels, in increasing order.
    var pixels: [Int] { flags.indices.filter { flags[$0] } }

    mutating func record(pixel: Int, frame: Int, value: Float) {
        if !flags[pixel] {
            flags[pixel] = true
            pixelCount += 1
        }
        valueCount += 1
        if first == nil { first = (pixel, frame, value) }
    }

    /// One line for the reader's warnings, or nil when no value was invalid.
    func warning(file: String, dataset: String, frameWidth: Int) -> String? {
        guard let first else { return nil }
        return "\(file): \(dataset): \(valueCount) negative or non-finite value(s) in \(pixelCount) detector pixel(s) "
            + "(the first \(first.value) at frame \(first.frame), row \(first.pixel / frameWidth), column "
            + "\(first.pixel % frameWidth)); those pixels are masked in every frame (invalid_values mask)"
    }
}
