import Foundation
import PtychoCore

extension PreviewRenderer {
    typealias RGB = (r: UInt8, g: UInt8, b: UInt8)

    static let plotBackground: RGB = (255, 255, 255)
    static let axisColour: RGB = (0, 0, 0)
    static let gridColour: RGB = (220, 220, 220)
    /// One colour per engine stage, cycled; chosen to stay apart from black, white and grey.
    static let stageColours: [RGB] = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40),
                                      (148, 103, 189), (140, 86, 75)]

    /// Line plot of `fourierError` against `iteration` on a logarithmic y axis (whole decades, minor
    /// ticks at 2…9), drawn without text: decade grid lines and tick marks carry the scale. Each run of
    /// consecutive records with the same engine is one stage and gets its own colour. Records whose error
    /// is not finite and positive break the line. An empty history yields bare axes.
    public static func errorCurve(_ history: [IterationRecord], width: Int = 800, height: Int = 500) -> RasterImage {
        var image = RasterImage(width: width, height: height, format: .rgb, fill: plotBackground)
        let box = (left: 50, right: width - 20, top: 20, bottom: height - 40)
        let valid = history.filter { $0.fourierError.isFinite && $0.fourierError > 0 }
        let logs = valid.map { log10($0.fourierError) }
        let decadeLow = (logs.min() ?? -3).rounded(.down)
        var decadeHigh = (logs.max() ?? 0).rounded(.up)
        if decadeHigh <= decadeLow { decadeHigh = decadeLow + 1 }
        let firstIteration = Double(history.map(\.iteration).min() ?? 0)
        var lastIteration = Double(history.map(\.iteration).max() ?? 1)
        if lastIteration <= firstIteration { lastIteration = firstIteration + 1 }

        func column(_ iteration: Double) -> Int {
            box.left + Int(((iteration - firstIteration) / (lastIteration - firstIteration)
                * Double(box.right - box.left)).rounded())
        }
        func row(_ logError: Double) -> Int {
            box.bottom - Int(((logError - decadeLow) / (decadeHigh - decadeLow)
                * Double(box.bottom - box.top)).rounded())
        }

        // Decade grid and y ticks (long at decades, short at 2…9 times a decade).
        for decade in Int(decadeLow)...Int(decadeHigh) {
            let y = row(Double(decade))
            drawLine(&image, from: (y, box.left), to: (y, box.right), colour: gridColour)
            drawLine(&image, from: (y, box.left - 8), to: (y, box.left), colour: axisColour)
            guard Double(decade) < decadeHigh else { continue }
            for multiple in 2...9 {
                let minor = row(Double(decade) + log10(Double(multiple)))
                drawLine(&image, from: (minor, box.left - 4), to: (minor, box.left), colour: axisColour)
            }
        }
        // x ticks at a 1-2-5 step giving at most ~10 intervals.
        let step = niceStep(span: lastIteration - firstIteration, maximumTicks: 10)
        var tick = (firstIteration / step).rounded(.up) * step
        while tick <= lastIteration {
            let x = column(tick)
            drawLine(&image, from: (box.bottom, x), to: (box.bottom + 8, x), colour: axisColour)
            tick += step
        }
        drawLine(&image, from: (box.top, box.left), to: (box.bottom, box.left), colour: axisColour)
        drawLine(&image, from: (box.bottom, box.left), to: (box.bottom, box.right), colour: axisColour)

        var stage = -1
        var previous: (row: Int, column: Int)?
        for (index, record) in history.enumerated() {
            if index == 0 || history[index - 1].engine != record.engine { stage += 1 }
            guard record.fourierError.isFinite && record.fourierError > 0 else { previous = nil; continue }
            let point = (row: row(log10(record.fourierError)), column: column(Double(record.iteration)))
            let colour = stageColours[stage % stageColours.count]
            // Two pixels thick so the curve stays visible over the grid lines.
            drawLine(&image, from: previous ?? point, to: point, colour: colour, thickness: 2)
            previous = point
        }
        return image
    }

    /// Largest of 1, 2, 5 × 10ⁿ that is at least `span / maximumTicks`.
    static func niceStep(span: Double, maximumTicks: Int) -> Double {
        let raw = max(span / Double(maximumTicks), 1)
        let magnitude = pow(10, log10(raw).rounded(.down))
        for multiple in [1.0, 2, 5, 10] where multiple * magnitude >= raw { return multiple * magnitude }
        return 10 * magnitude
    }

    /// Bresenham line between two (row, column) points, `thickness` pixels square per point, clipped.
    static func drawLine(_ image: inout RasterImage, from start: (Int, Int), to end: (Int, Int), colour: RGB,
                         thickness: Int = 1) {
        var (y, x) = start
        let dy = -abs(end.0 - y), dx = abs(end.1 - x)
        let sy = y < end.0 ? 1 : -1, sx = x < end.1 ? 1 : -1
        var error = dx + dy
        while true {
            for ty in 0..<thickness { for tx in 0..<thickness { image.setColour(row: y + ty, column: x + tx, colour) } }
            if y == end.0 && x == end.1 { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }
}
