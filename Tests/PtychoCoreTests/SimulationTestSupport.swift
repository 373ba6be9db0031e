import PtychoCore

/// Measurements on frames shared by the probe and simulation tests (public API only).
enum FrameMeasure {
    /// Geometry of the default simulation at a small frame size.
    static func geometry(frameSize: Int) -> ExperimentGeometry {
        PtychographySimulation.Parameters(frameSize: frameSize).geometry
    }

    // Helpers take the owning arrays, never bare pointers: a caller's array could otherwise be freed
    // right after its pointer is read, since Swift may end a reference's lifetime at its last use.

    /// |z|² per pixel of frame `index` of a `[k, ny, nx]` array, or of a whole `[ny, nx]` array.
    static func power(_ array: ComplexArray, frame index: Int = 0) -> [Double] {
        let (frame, pixels) = self.frame(array, index)
        return (0..<pixels).map {
            Double(frame[2 * $0] * frame[2 * $0] + frame[2 * $0 + 1] * frame[2 * $0 + 1])
        }
    }

    /// Frame `index` of a `[k, ny, nx]` array, or the whole of a `[ny, nx]` one, and its pixel count.
    /// (`ComplexArray.slice` would give a row of a 2-D array.)
    static func frame(_ array: ComplexArray, _ index: Int) -> (UnsafeMutablePointer<Float>, Int) {
        array.shape.count == 3 ? (array.slice(index), array.sliceCount) : (array.pointer, array.count)
    }

    /// The floats of an array, copied.
    static func floats(_ array: ComplexArray) -> [Float] { Array(array.storage) }
    static func floats(_ array: RealArray) -> [Float] { Array(array.storage) }

    /// Σ over the pixels of frame `index` of `[N, ny, nx]` intensities, double precision.
    static func frameTotal(_ intensities: RealArray, frame index: Int) -> Double {
        let frame = intensities.slice(index)
        return (0..<intensities.sliceCount).reduce(0.0) { $0 + Double(frame[$1]) }
    }

    /// `ApertureProbe.estimateApertureRadius` on a square pattern held in an array.
    static func estimateRadius(_ pattern: [Float], size: Int, mask: RealArray? = nil) -> Double {
        pattern.withUnsafeBufferPointer { values in
            withExtendedLifetime(mask) {
                ApertureProbe.estimateApertureRadius(meanPattern: values.baseAddress!, height: size, width: size,
                                                     mask: mask.map { UnsafePointer($0.pointer) })
            }
        }
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
    static func farFieldPower(of probe: ComplexArray) -> [Double] {
        let height = probe.shape[0], width = probe.shape[1]
        let wave = ComplexArray(copying: probe)
        let scratch = ComplexArray(shape: [height, width])
        withExtendedLifetime(scratch) {
            FFTShift.apply(wave.pointer, height: height, width: width, scratch: scratch.pointer, inverse: true)
            FFTPlan2D(height: height, width: width, effort: .estimate).forward(wave.pointer)
            FFTShift.apply(wave.pointer, height: height, width: width, scratch: scratch.pointer)
        }
        return power(wave).map { $0 / Double(height * width) }
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
