import CHDF5

extension HDF5File {
    /// Creates a dataset of `shape` (`[]` = scalar) stored as `type`, making missing parent groups.
    ///
    /// `chunk`, when given, sets the chunk shape (e.g. `[1, ny, nx]`: one frame per chunk, so readers
    /// fetching frame batches touch only what they need). It is clamped to the shape and ignored for empty
    /// datasets, which HDF5 cannot chunk.
    @discardableResult
    public func createDataset(_ objectPath: String, type: HDF5StorageType, shape: [Int],
                              chunk: [Int]? = nil) throws -> HDF5Dataset {
        HDF5Library.prepare()
        let space = shape.isEmpty ? H5Screate(H5S_SCALAR)
                                  : H5Screate_simple(Int32(shape.count), shape.map { hsize_t($0) }, nil)
        _ = try hdf5Check(space, file: path, object: objectPath, "cannot make a dataspace of shape \(shape)")
        defer { H5Sclose(space) }
        let fileType = type.makeFileType()
        defer { H5Tclose(fileType) }
        let creation = try hdf5Check(H5Pcreate(ptychite_H5P_DATASET_CREATE()), file: path, object: objectPath,
                                     "cannot create a dataset-creation property list")
        defer { H5Pclose(creation) }
        if let chunk, chunk.count == shape.count, !shape.isEmpty, shape.allSatisfy({ $0 > 0 }) {
            let clamped = zip(chunk, shape).map { hsize_t(max(1, min($0, $1))) }
            _ = try hdf5Check(H5Pset_chunk(creation, Int32(clamped.count), clamped), file: path,
                              object: objectPath, "cannot set chunk shape \(chunk)")
        }
        let links = try intermediateGroupLinkList()
        defer { H5Pclose(links) }
        let id = try hdf5Check(H5Dcreate2(self.id, objectPath, fileType, space, links, creation,
                                          hid_t(ptychite_H5P_DEFAULT())),
                               file: path, object: objectPath, "cannot create the dataset")
        H5Dclose(id)
        return try HDF5Dataset(file: self, path: objectPath)
    }
}

extension HDF5Dataset {
    /// Writes every element from `values` (count must equal `elementCount`), converted by HDF5.
    public func write<T: HDF5NativeElement>(_ values: [T]) throws {
        guard values.count == elementCount else {
            throw failure("\(values.count) values given for shape \(shape)")
        }
        guard !values.isEmpty else { return }
        try values.withUnsafeBufferPointer { buffer in
            let all = ptychite_H5S_ALL()
            _ = try hdf5Check(H5Dwrite(id, T.nativeType, all, all, hid_t(ptychite_H5P_DEFAULT()), buffer.baseAddress),
                              file: filePath, object: path, "cannot write \(T.self) values")
        }
    }

    /// Writes `rows` of the first axis from `buffer` (`rows.count * elementCount / shape[0]` elements).
    public func writeRows<T: HDF5NativeElement>(_ rows: Range<Int>, from buffer: UnsafePointer<T>) throws {
        try transferRows(rows, memoryType: T.nativeType) { memory, fileSpace in
            H5Dwrite(id, T.nativeType, memory, fileSpace, hid_t(ptychite_H5P_DEFAULT()), buffer)
        }
    }

    /// Writes interleaved single-precision complex pairs (`2 * elementCount` floats, the `ComplexArray`
    /// layout) into a complex dataset.
    public func writeComplex(from buffer: UnsafePointer<Float>) throws {
        guard elementKind.isComplex else { throw failure("holds \(elementKind), not complex {r, i}") }
        guard elementCount > 0 else { return }
        let memoryType = HDF5Types.nativeComplex()
        defer { H5Tclose(memoryType) }
        let all = ptychite_H5S_ALL()
        _ = try hdf5Check(H5Dwrite(id, memoryType, all, all, hid_t(ptychite_H5P_DEFAULT()), buffer),
                          file: filePath, object: path, "cannot write complex64 values")
    }

    /// Writes `strings` (count must equal `elementCount`) into a string dataset.
    public func writeStrings(_ strings: [String]) throws {
        guard strings.count == elementCount else {
            throw failure("\(strings.count) strings given for shape \(shape)")
        }
        try HDF5Strings.write(strings, file: filePath, object: path) { memoryType, buffer in
            let all = ptychite_H5S_ALL()
            return H5Dwrite(id, memoryType, all, all, hid_t(ptychite_H5P_DEFAULT()), buffer)
        }
    }
}
