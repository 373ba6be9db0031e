import PtychoCore

/// Per-pixel and per-frame corrections a CXI file may carry: mask, dark, monitor.
extension CXIMetadata {
    /// 1 = good, 0 = bad, `[ny, nx]`. A pixel is bad when any bit other than `hasSignalBit` is set; a
    /// file without a mask has every pixel good.
    func mask(frameHeight: Int, frameWidth: Int) throws -> RealArray {
        let mask = RealArray(shape: [frameHeight, frameWidth])
        guard file.exists(CXILayout.mask) else {
            mask.fill(1)
            return mask
        }
        let datasetPath = CXILayout.mask
        let dataset = try file.inputDataset(datasetPath)
        guard dataset.shape == [frameHeight, frameWidth] else {
            throw InputError.maskShapeMismatch(file: path, dataset: datasetPath, found: dataset.shape,
                                               expected: [frameHeight, frameWidth])
        }
        guard dataset.elementKind.isNumeric else {
            throw InputError.unreadableDataset(file: path, dataset: datasetPath,
                                               reason: "holds \(dataset.elementKind), not integers")
        }
        // Int64 keeps every bit of 8–32-bit flags and maps signed -1 (all bits) to bad.
        let flags = try file.inputRead(datasetPath) { try dataset.read(Int64.self) }
        var good = 0
        for (index, flag) in flags.enumerated() where flag & ~CXILayout.hasSignalBit == 0 {
            mask[flat: index] = 1
            good += 1
        }
        guard good > 0 else {
            throw InputError.invalidValue(file: path, dataset: datasetPath,
                                          requirement: "must mark at least one pixel good", found: 0)
        }
        return mask
    }

    /// The dark frame `[ny, nx]` when present (finite values), else nil.
    func dark(frameHeight: Int, frameWidth: Int) throws -> [Float]? {
        guard let datasetPath = file.firstExisting(CXILayout.darkPaths) else { return nil }
        let dataset = try file.inputDataset(datasetPath)
        guard dataset.shape == [frameHeight, frameWidth] else {
            throw InputError.wrongShape(file: path, dataset: datasetPath,
                                        expected: ShapeText.tuple([frameHeight, frameWidth]), found: dataset.shape)
        }
        let dark = try file.inputRead(datasetPath) { try dataset.read(Float.self) }
        if let bad = dark.first(where: { !$0.isFinite }) {
            throw InputError.invalidValue(file: path, dataset: datasetPath, requirement: "must be finite",
                                          found: Double(bad))
        }
        return dark
    }

    /// Per-frame divisors `monitor / mean(monitor)` when a monitor is present, else nil.
    func monitorScale(frameCount: Int, dataPath: String) throws -> [Float]? {
        let datasetPath = CXILayout.monitor
        guard file.exists(datasetPath) else { return nil }
        let dataset = try file.inputDataset(datasetPath)
        guard dataset.shape.count == 1 else {
            throw InputError.wrongShape(file: path, dataset: datasetPath, expected: "(N,)", found: dataset.shape)
        }
        guard dataset.shape[0] == frameCount else {
            throw InputError.lengthMismatch(file: path, dataset: datasetPath, length: dataset.shape[0],
                                            expected: frameCount, frames: dataPath)
        }
        let monitor = try file.inputRead(datasetPath) { try dataset.read(Double.self) }
        for (frame, value) in monitor.enumerated() where !(value.isFinite && value > 0) {
            throw InputError.invalidValue(file: path, dataset: datasetPath,
                                          requirement: "value of frame \(frame) must be finite and > 0",
                                          found: value)
        }
        let mean = monitor.reduce(0, +) / Double(frameCount)
        return monitor.map { Float($0 / mean) }
    }
}
