import PtychoCore

/// Measurements on frames shared by the probe and simulation tests (public API only).
enum FrameMeasure {
    /// Geometry of the default simulation at a small frame size.
    static func geometry(frameSize: Int) -> ExperimentGeometry {
        PtychographySimulation.Parameters(frameSize: frameSize).geometry
    }

    /// |z|² per pixel of a `[ny, nx]` complex frame.
    static func power(_ frame: UnsafeMutablePointer<Float>, count: Int) -> [Double] {
        (0..<count).map { Double(frame[2 * $0] * frame[2 * $0] + frame[2 * $0 + 1] * frame[2 * $0 + 1]) }
    }

    /// Power-weighted centroid (row, column).
    static func centroid(_ power: [Double], height: Int, width: Int) -> (row: Double, column: Double) {
        var total = 0.0, row = 0.0, column = 0.0
        for index in 0..<(height * width) {
            total += power[index]
            row += power[index] * Double(index / width)
            column += power[index] * Double(index % width)
        }
        return (row / total, column / total)
    }

    /// Radius (pixels) about the centroid of the smallest disk holding `fraction` of the power.
    static func enclosingRadius(_ power: [Double], height: Int, width: Int, fraction: Double) -> Double {
        let centre = centroid(power, height: height, width: width)
        let total = power.reduce(0, +)
        let byRadius = (0..<(height * width)).map { index -> (Double, Double) in
            let dy = Double(index / width) - centre.row, dx = Double(index % width) - centre.column
            return ((dy * dy + dx * dx).squareRoot(), power[index])
        }.sorted { $0.0 < $1.0 }
        var enclosed = 0.0
        for (radius, value) in byRadius {
            enclosed += value
            if enclosed >= fraction * total { return radius }
        }
        return byRadius.last!.0
    }

    /// Centred far-field power |F P|² / n of a centred `[ny, nx]` probe.
    static func farFieldPower(of probe: UnsafeMutablePointer<Float>, height: Int, width: Int) -> [Double] {
        let wave = ComplexArray(shape: [height, width])
        let scratch = ComplexArray(shape: [height, width])
        wave.pointer.update(from: probe, count: 2 * height * width)
        FFTShift.apply(wave.pointer, height: height, width: width, scratch: scratch.pointer, inverse: true)
        FFTPlan2D(height: height, width: width, effort: .estimate).forward(wave.pointer)
        FFTShift.apply(wave.pointer, height: height, width: width, scratch: scratch.pointer)
        return power(wave.pointer, count: height * width).map { $0 / Double(height * width) }
    }

    /// Mean over frames of a `[N, ny, nx]` intensity array.
    static func meanPattern(_ intensities: RealArray) -> [Float] {
        let frames = intensities.shape[0], pixels = intensities.sliceCount
        var mean = [Float](repeating: 0, count: pixels)
        for frame in 0..<frames {
            let values = intensities.slice(frame)
            for pixel in 0..<pixels { mean[pixel] += values[pixel] / Float(frames) }
        }
        return mean
    }
}
