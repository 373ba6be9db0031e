extension HDF5File {
    /// Reads an `(N, 2)` numeric dataset of one finite pair per frame, row-major (`[2 * frame + column]`).
    /// `columns` names the two columns in messages (e.g. `[y, x]`); `dataPath` names the frames dataset
    /// whose N the pairs must match.
    func inputPairs(_ datasetPath: String, columns: String, frameCount: Int, dataPath: String) throws -> [Double] {
        let dataset = try inputDataset(datasetPath)
        guard dataset.elementKind.isNumeric else {
            throw InputError.unreadableDataset(file: path, dataset: datasetPath,
                                               reason: "holds \(dataset.elementKind), not numbers")
        }
        let shape = dataset.shape
        guard shape.count == 2, shape[1] == 2 else {
            throw InputError.wrongShape(file: path, dataset: datasetPath,
                                        expected: "(N, 2) \(columns) with N = \(frameCount)", found: shape)
        }
        guard shape[0] == frameCount else {
            throw InputError.lengthMismatch(file: path, dataset: datasetPath, length: shape[0],
                                            expected: frameCount, frames: dataPath)
        }
        let values = try inputRead(datasetPath) { try dataset.read(Double.self) }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw InputError.invalidValue(file: path, dataset: datasetPath,
                                          requirement: "position of frame \(bad / 2) must be finite",
                                          found: values[bad])
        }
        return values
    }
}
