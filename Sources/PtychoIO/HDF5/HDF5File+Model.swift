import PtychoCore

/// Transfers of PtychoCore model types shared by the result, truth and CXI files.
extension HDF5File {
    /// Writes `array` as h5py complex64, with `shape` (default: the array's own) of equal element count.
    func writeComplex(_ array: ComplexArray, to objectPath: String, shape: [Int]? = nil) throws {
        let shape = shape ?? array.shape
        precondition(shape.reduce(1, *) == array.count, "shape \(shape) does not fit \(array.count) elements")
        try createDataset(objectPath, type: .complex64, shape: shape).writeComplex(from: array.pointer)
    }

    /// Writes positions as float64 `(N, 2)` rows of `[y, x]`, metres.
    func writePositions(_ positions: ScanPositions, to objectPath: String) throws {
        var rows = [Double](repeating: 0, count: 2 * positions.count)
        for index in 0..<positions.count {
            rows[2 * index] = positions.y[index]
            rows[2 * index + 1] = positions.x[index]
        }
        try write(rows, to: objectPath, shape: [positions.count, 2], as: .float64)
        try setAttribute("units", "m", on: objectPath)
    }

    /// Reads a complex dataset into a `ComplexArray` of shape `memoryShape(storedShape)`; a nil shape
    /// (or one with a different element count) rejects the stored shape with `expected` as the message.
    func inputComplex(_ objectPath: String, expected: String,
                      memoryShape: ([Int]) -> [Int]?) throws -> ComplexArray {
        let dataset = try inputDataset(objectPath)
        guard dataset.elementKind.isComplex else {
            throw InputError.unreadableDataset(file: path, dataset: objectPath,
                                               reason: "holds \(dataset.elementKind), not complex {r, i}")
        }
        guard let shape = memoryShape(dataset.shape), shape.reduce(1, *) == dataset.elementCount else {
            throw InputError.wrongShape(file: path, dataset: objectPath, expected: expected, found: dataset.shape)
        }
        let array = ComplexArray(shape: shape)
        try inputRead(objectPath) { try dataset.readComplex(into: array.pointer) }
        return array
    }

    /// Reads float64-convertible `(N, 2)` `[y, x]` positions.
    func inputPositions(_ objectPath: String) throws -> ScanPositions {
        let dataset = try inputDataset(objectPath)
        guard dataset.shape.count == 2, dataset.shape[1] == 2, dataset.elementKind.isNumeric else {
            throw InputError.wrongShape(file: path, dataset: objectPath, expected: "(N, 2) numbers [y, x]",
                                        found: dataset.shape)
        }
        let rows = try inputRead(objectPath) { try dataset.read(Double.self) }
        let count = dataset.shape[0]
        return ScanPositions(y: (0..<count).map { rows[2 * $0] }, x: (0..<count).map { rows[2 * $0 + 1] })
    }

    /// Reads a numeric dataset whose shape must equal `shape` and whose rank must equal `rank` (each
    /// when given); `expected` describes the accepted shape in the error.
    func inputNumbers<T: HDF5NativeElement>(_ objectPath: String, shape: [Int]? = nil, rank: Int? = nil,
                                            expected: String, as _: T.Type = T.self) throws -> [T] {
        let dataset = try inputDataset(objectPath)
        guard dataset.elementKind.isNumeric else {
            throw InputError.unreadableDataset(file: path, dataset: objectPath,
                                               reason: "holds \(dataset.elementKind), not numbers")
        }
        if let shape, dataset.shape != shape {
            throw InputError.wrongShape(file: path, dataset: objectPath, expected: expected, found: dataset.shape)
        }
        if let rank, dataset.shape.count != rank {
            throw InputError.wrongShape(file: path, dataset: objectPath, expected: expected, found: dataset.shape)
        }
        return try inputRead(objectPath) { try dataset.read(T.self) }
    }

    /// Reads a string dataset of any shape.
    func inputStrings(_ objectPath: String) throws -> [String] {
        let dataset = try inputDataset(objectPath)
        return try inputRead(objectPath) { try dataset.readStrings() }
    }

    /// Reads a dataset that must hold exactly one string.
    func inputString(_ objectPath: String) throws -> String {
        let strings = try inputStrings(objectPath)
        guard strings.count == 1 else {
            throw InputError.wrongShape(file: path, dataset: objectPath, expected: "one string", found: [strings.count])
        }
        return strings[0]
    }
}
