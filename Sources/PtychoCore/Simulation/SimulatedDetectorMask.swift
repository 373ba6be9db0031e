extension PtychographySimulation {
    /// The good-pixel mask `[frameSize, frameSize]` (1 = good) in the centred frame: exactly
    /// round(deadPixelFraction · pixels) dead pixels drawn without replacement, plus the gap stripes.
    static func detectorMask(_ parameters: Parameters) -> RealArray {
        let size = parameters.frameSize, pixels = size * size
        let mask = RealArray(shape: [size, size])
        mask.fill(1)
        let deadCount = min(pixels, Int((parameters.deadPixelFraction * Double(pixels)).rounded()))
        if deadCount > 0 {
            var rng = RandomSource(seed: SimulationRandomStream.mask.seed(base: parameters.seed))
            var order = Array(0..<pixels)
            // Partial Fisher–Yates: the first `deadCount` entries are a uniform sample without replacement.
            for index in 0..<deadCount {
                let pick = index + Int(rng.uniform() * Double(pixels - index))
                order.swapAt(index, pick)
                mask[flat: order[index]] = 0
            }
        }
        if let rows = parameters.detectorGapRows?.clamped(to: 0..<size) {
            for row in rows { for column in 0..<size { mask[flat: row * size + column] = 0 } }
        }
        if let columns = parameters.detectorGapColumns?.clamped(to: 0..<size) {
            for row in 0..<size { for column in columns { mask[flat: row * size + column] = 0 } }
        }
        return mask
    }
}
