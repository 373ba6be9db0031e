import PtychoIO

/// In-place edits of HDF5 fixture files, so a test can break one thing in an otherwise valid file.
public enum HDF5Edits {
    /// Opens `path` for writing and lets `change` break or extend it.
    public static func modify(_ path: String, _ change: (HDF5File) throws -> Void) throws {
        let file = try HDF5File.open(path, writable: true)
        try change(file)
        try file.close()
    }

    /// Replaces the dataset at `objectPath` with `values` of `shape`.
    public static func replace(_ path: String, _ objectPath: String, with values: [Double], shape: [Int],
                               as type: HDF5StorageType = .float64) throws {
        try modify(path) { file in
            try file.removeLink(objectPath)
            try file.write(values, to: objectPath, shape: shape, as: type)
        }
    }
}
