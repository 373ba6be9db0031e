import CHDF5

/// An open dataset: its shape and element kind, read whole or in row batches along the first axis.
///
/// Invariants: `shape` is the extent at open time (`[]` for a scalar); the identifier stays open until
/// deinit or until the file closes. Reads convert to the requested Swift type inside HDF5, so an integer
/// dataset reads straight into `Float` storage without an intermediate copy.
public final class HDF5Dataset {
    public let filePath: String
    public let path: String
    public let shape: [Int]
    public let elementKind: HDF5ElementKind
    let handle: HDF5Handle

    var id: hid_t { handle.id }

    init(file: HDF5File, path: String) throws {
        HDF5Library.prepare()
        filePath = file.path
        self.path = path
        let id = try hdf5Check(H5Dopen2(file.id, path, hid_t(ptychite_H5P_DEFAULT())),
                               file: file.path, object: path, "cannot open as a dataset")
        handle = HDF5Handle(id, kind: .dataset, file: file.handle)
        let space = H5Dget_space(id)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }
        shape = rank > 0 ? dims.map { Int($0) } : []
        let type = H5Dget_type(id)
        defer { H5Tclose(type) }
        elementKind = HDF5ElementKind(type: type)
    }

    /// Product of the extents (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    func failure(_ problem: String) -> HDF5Error { HDF5Error(file: filePath, object: path, problem: problem) }

    /// Reads every element, converted by HDF5 to `T`.
    public func read<T: HDF5NativeElement>(_: T.Type = T.self) throws -> [T] {
        guard elementKind.isNumeric else { throw failure("holds \(elementKind), not numbers") }
        let count = elementCount
        guard count > 0 else { return [] }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialised in
            let all = ptychite_H5S_ALL()
            _ = try hdf5Check(H5Dread(id, T.nativeType, all, all, hid_t(ptychite_H5P_DEFAULT()), buffer.baseAddress),
                              file: filePath, object: path, "cannot read as \(T.self)")
            initialised = count
        }
    }

    /// Reads `rows` along the first axis (each row is everything below it, e.g. one frame) into `buffer`,
    /// which must hold `rows.count * elementCount / shape[0]` elements.
    public func readRows<T: HDF5NativeElement>(_ rows: Range<Int>, into buffer: UnsafeMutablePointer<T>) throws {
        guard elementKind.isNumeric else { throw failure("holds \(elementKind), not numbers") }
        try transferRows(rows, memoryType: T.nativeType) { memory, fileSpace in
            H5Dread(id, T.nativeType, memory, fileSpace, hid_t(ptychite_H5P_DEFAULT()), buffer)
        }
    }

    /// Reads an h5py-style complex dataset (compound `{r, i}` of any float width) into interleaved
    /// single-precision pairs; `buffer` holds `2 * elementCount` floats.
    public func readComplex(into buffer: UnsafeMutablePointer<Float>) throws {
        guard elementKind.isComplex else { throw failure("holds \(elementKind), not complex {r, i}") }
        guard elementCount > 0 else { return }
        let memoryType = HDF5Types.nativeComplex()
        defer { H5Tclose(memoryType) }
        let all = ptychite_H5S_ALL()
        _ = try hdf5Check(H5Dread(id, memoryType, all, all, hid_t(ptychite_H5P_DEFAULT()), buffer),
                          file: filePath, object: path, "cannot read as complex64")
    }

    /// Reads a string dataset (variable- or fixed-length, scalar or 1-D) as Swift strings.
    public func readStrings() throws -> [String] {
        guard elementKind == .string else { throw failure("holds \(elementKind), not strings") }
        let type = H5Dget_type(id)
        defer { H5Tclose(type) }
        let space = H5Dget_space(id)
        defer { H5Sclose(space) }
        return try HDF5Strings.read(count: elementCount, fileType: type, space: space, file: filePath,
                                    object: path) { memoryType, buffer in
            let all = ptychite_H5S_ALL()
            return H5Dread(id, memoryType, all, all, hid_t(ptychite_H5P_DEFAULT()), buffer)
        }
    }

    /// Selects `rows` of the first axis in the file and a matching contiguous memory space, then runs
    /// `transfer(memorySpace, fileSpace)`.
    func transferRows(_ rows: Range<Int>, memoryType: hid_t,
                      _ transfer: (hid_t, hid_t) -> herr_t) throws {
        guard let first = shape.first else { throw failure("is a scalar; it has no rows") }
        guard rows.lowerBound >= 0, rows.upperBound <= first else {
            throw failure("rows \(rows.lowerBound)..<\(rows.upperBound) outside 0..<\(first)")
        }
        guard !rows.isEmpty else { return }
        let fileSpace = H5Dget_space(id)
        defer { H5Sclose(fileSpace) }
        var start = [hsize_t](repeating: 0, count: shape.count)
        start[0] = hsize_t(rows.lowerBound)
        var count = shape.map { hsize_t($0) }
        count[0] = hsize_t(rows.count)
        _ = try hdf5Check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil),
                          file: filePath, object: path, "cannot select rows \(rows)")
        let memorySpace = H5Screate_simple(Int32(shape.count), count, nil)
        defer { H5Sclose(memorySpace) }
        _ = try hdf5Check(transfer(memorySpace, fileSpace), file: filePath, object: path,
                          "cannot transfer rows \(rows.lowerBound)..<\(rows.upperBound)")
    }
}
