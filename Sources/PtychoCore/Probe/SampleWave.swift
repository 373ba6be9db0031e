/// Building blocks of the sample-plane probe models.
enum SampleWave {
    /// `[ny, nx]` with the real amplitude `amplitude(y, x)` (metres from the frame centre `[ny/2, nx/2]`).
    static func make(geometry: ExperimentGeometry, amplitude: (_ y: Double, _ x: Double) -> Double) -> ComplexArray {
        let ny = geometry.frameHeight, nx = geometry.frameWidth
        let wave = ComplexArray(shape: [ny, nx])
        for row in 0..<ny {
            let y = Double(row - ny / 2) * geometry.objectPixelSize.y
            for column in 0..<nx {
                wave.pointer[2 * (row * nx + column)] = Float(amplitude(y, Double(column - nx / 2) * geometry.objectPixelSize.x))
            }
        }
        return wave
    }

    /// `wave` scaled in place so that Σ|P|² = `totalPower`; returned for chaining. A wave with no power in
    /// the frame is returned as it is (callers check: `InitialProbe.parametric` throws).
    static func scaled(_ wave: ComplexArray, to totalPower: Double) -> ComplexArray {
        let power = wave.totalPower()
        guard power > 0 && power.isFinite else { return wave }
        let scale = Float((totalPower / power).squareRoot())
        for i in 0..<(2 * wave.count) { wave.pointer[i] *= scale }
        return wave
    }
}
