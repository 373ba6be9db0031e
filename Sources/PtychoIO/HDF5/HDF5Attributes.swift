import CHDF5

/// Attributes on groups and datasets, addressed by the object's absolute path. Setting an attribute that
/// exists replaces it. Strings are scalar variable-length UTF-8, which h5py reads as `str`.
extension HDF5File {
    public func setAttribute(_ name: String, _ value: String, on objectPath: String = "/") throws {
        try writeAttribute(name, type: .string, on: objectPath) { attribute, _ in
            try HDF5Strings.write([value], file: path, object: "\(objectPath)@\(name)") { memoryType, buffer in
                H5Awrite(attribute, memoryType, buffer)
            }
        }
    }

    public func setAttribute(_ name: String, _ value: Double, on objectPath: String = "/") throws {
        try writeAttribute(name, type: .float64, on: objectPath) { attribute, object in
            var copy = value
            _ = try hdf5Check(H5Awrite(attribute, Double.nativeType, &copy), file: path, object: object,
                              "cannot write the attribute")
        }
    }

    public func setAttribute(_ name: String, _ value: Int64, on objectPath: String = "/") throws {
        try writeAttribute(name, type: .int64, on: objectPath) { attribute, object in
            var copy = value
            _ = try hdf5Check(H5Awrite(attribute, Int64.nativeType, &copy), file: path, object: object,
                              "cannot write the attribute")
        }
    }

    /// The string attribute `name` of `objectPath`, or nil when absent.
    public func stringAttribute(_ name: String, of objectPath: String = "/") throws -> String? {
        try readAttribute(name, of: objectPath) { attribute, type, object in
            guard H5Tget_class(type) == H5T_STRING else {
                throw HDF5Error(file: path, object: object, problem: "is not a string")
            }
            let space = H5Aget_space(attribute)
            defer { H5Sclose(space) }
            return try HDF5Strings.read(count: 1, fileType: type, space: space, file: path, object: object) {
                memoryType, buffer in H5Aread(attribute, memoryType, buffer)
            }.first
        }
    }

    /// The numeric attribute `name` of `objectPath` converted to Double, or nil when absent.
    public func doubleAttribute(_ name: String, of objectPath: String = "/") throws -> Double? {
        try readAttribute(name, of: objectPath) { attribute, type, object in
            guard HDF5ElementKind(type: type).isNumeric else {
                throw HDF5Error(file: path, object: object, problem: "is not numeric")
            }
            var value = 0.0
            _ = try hdf5Check(H5Aread(attribute, Double.nativeType, &value), file: path, object: object,
                              "cannot read as a number")
            return value
        }
    }

    private func writeAttribute(_ name: String, type: HDF5StorageType, on objectPath: String,
                                _ body: (hid_t, String) throws -> Void) throws {
        HDF5Library.prepare()
        let object = "\(objectPath)@\(name)"
        let lapl = hid_t(ptychite_H5P_DEFAULT())
        if H5Aexists_by_name(id, objectPath, name, lapl) > 0 {
            _ = try hdf5Check(H5Adelete_by_name(id, objectPath, name, lapl), file: path, object: object,
                              "cannot replace the attribute")
        }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let fileType = type.makeFileType()
        defer { H5Tclose(fileType) }
        let attribute = try hdf5Check(
            H5Acreate_by_name(id, objectPath, name, fileType, space, hid_t(ptychite_H5P_DEFAULT()),
                              hid_t(ptychite_H5P_DEFAULT()), lapl),
            file: path, object: object, "cannot create the attribute")
        defer { H5Aclose(attribute) }
        try body(attribute, object)
    }

    private func readAttribute<T>(_ name: String, of objectPath: String,
                                  _ body: (hid_t, hid_t, String) throws -> T?) throws -> T? {
        HDF5Library.prepare()
        let lapl = hid_t(ptychite_H5P_DEFAULT())
        guard exists(objectPath), H5Aexists_by_name(id, objectPath, name, lapl) > 0 else { return nil }
        let object = "\(objectPath)@\(name)"
        let attribute = try hdf5Check(H5Aopen_by_name(id, objectPath, name, hid_t(ptychite_H5P_DEFAULT()), lapl),
                                      file: path, object: object, "cannot open the attribute")
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        return try body(attribute, type, object)
    }
}
