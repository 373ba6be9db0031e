/// One-call writes and reads for the small datasets of metadata: scalars, short vectors, strings.
extension HDF5File {
    /// Writes `values` with `shape` (default: 1-D of `values.count`) stored as `type`.
    public func write<T: HDF5NativeElement>(_ values: [T], to objectPath: String, shape: [Int]? = nil,
                                            as type: HDF5StorageType) throws {
        let dataset = try createDataset(objectPath, type: type, shape: shape ?? [values.count])
        try dataset.write(values)
    }

    /// Writes one number as a scalar dataset.
    public func write<T: HDF5NativeElement>(scalar value: T, to objectPath: String,
                                            as type: HDF5StorageType) throws {
        try write([value], to: objectPath, shape: [], as: type)
    }

    /// Writes one string as a scalar variable-length UTF-8 dataset.
    public func write(string: String, to objectPath: String) throws {
        try createDataset(objectPath, type: .string, shape: []).writeStrings([string])
    }

    /// Writes strings as a 1-D variable-length UTF-8 dataset.
    public func write(strings: [String], to objectPath: String) throws {
        try createDataset(objectPath, type: .string, shape: [strings.count]).writeStrings(strings)
    }

    /// Reads a whole numeric dataset converted to `T`.
    public func read<T: HDF5NativeElement>(_ objectPath: String, as _: T.Type = T.self) throws -> [T] {
        try dataset(objectPath).read(T.self)
    }

    /// Reads a dataset that must hold exactly one number (shape `()` or `(1,)`).
    public func readScalar(_ objectPath: String) throws -> Double {
        let dataset = try dataset(objectPath)
        guard dataset.elementCount == 1 else {
            throw HDF5Error(file: path, object: objectPath,
                            problem: "expected one number, found shape \(ShapeText.tuple(dataset.shape))")
        }
        return try dataset.read(Double.self)[0]
    }

    /// Reads a dataset that must hold exactly one string.
    public func readString(_ objectPath: String) throws -> String {
        let strings = try dataset(objectPath).readStrings()
        guard strings.count == 1 else {
            throw HDF5Error(file: path, object: objectPath, problem: "expected one string, found \(strings.count)")
        }
        return strings[0]
    }
}

/// Shapes written the numpy way, `(3, 128, 128)`, in every message.
public enum ShapeText {
    public static func tuple(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
