import PtychoCore

// background: the `(ny, nx)` float32 background image of result and truth files.
extension HDF5File {
    /// Writes a real `(ny, nx)` image as float32.
    func writeRealImage(_ image: RealArray, to objectPath: String) throws {
        try createDataset(objectPath, type: .float32, shape: image.shape).writeRows(0..<image.shape[0], from: image.pointer)
    }

    /// The `(height, width)` image at `objectPath`, or nil when the file has none.
    func optionalRealImage(_ objectPath: String, height: Int, width: Int) throws -> RealArray? {
        guard exists(objectPath) else { return nil }
        let values: [Float] = try inputNumbers(objectPath, shape: [height, width],
                                               expected: ShapeText.tuple([height, width]))
        return RealArray(shape: [height, width], values: values)
    }
}
