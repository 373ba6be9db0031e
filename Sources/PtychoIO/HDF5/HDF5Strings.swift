import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// String transfer shared by datasets and attributes. Ptychite writes variable-length UTF-8 (h5py's
/// `str`); it reads that and fixed-length strings (h5py's `bytes_`, common for `NX_class`).
enum HDF5Strings {
    /// Reads `count` strings whose file type is `fileType` through `read(memoryType, buffer)`.
    static func read(count: Int, fileType: hid_t, space: hid_t, file: String, object: String,
                     _ read: (hid_t, UnsafeMutableRawPointer) -> herr_t) throws -> [String] {
        guard count > 0 else { return [] }
        // A copy of the file type is a valid memory type for strings and keeps the character set,
        // which HDF5 does not convert.
        let memoryType = H5Tcopy(fileType)
        defer { H5Tclose(memoryType) }
        if H5Tis_variable_str(fileType) > 0 {
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            try pointers.withUnsafeMutableBytes { raw in
                _ = try hdf5Check(read(memoryType, raw.baseAddress!), file: file, object: object,
                                  "cannot read the strings")
            }
            defer { H5Dvlen_reclaim(memoryType, space, hid_t(ptychite_H5P_DEFAULT()), &pointers) }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let width = H5Tget_size(fileType)
        var bytes = [UInt8](repeating: 0, count: count * width)
        try bytes.withUnsafeMutableBytes { raw in
            _ = try hdf5Check(read(memoryType, raw.baseAddress!), file: file, object: object,
                              "cannot read the strings")
        }
        return (0..<count).map { index in
            let field = bytes[(index * width)..<((index + 1) * width)]
            let end = field.firstIndex(of: 0) ?? field.endIndex
            var text = String(decoding: field[field.startIndex..<end], as: UTF8.self)
            if H5Tget_strpad(fileType) == H5T_STR_SPACEPAD {
                while text.last == " " { text.removeLast() }
            }
            return text
        }
    }

    /// Writes `strings` as variable-length UTF-8 through `write(memoryType, buffer)`.
    static func write(_ strings: [String], file: String, object: String,
                      _ write: (hid_t, UnsafeRawPointer) -> herr_t) throws {
        guard !strings.isEmpty else { return }
        let memoryType = HDF5Types.variableUTF8String()
        defer { H5Tclose(memoryType) }
        let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        try pointers.withUnsafeBytes { raw in
            _ = try hdf5Check(write(memoryType, raw.baseAddress!), file: file, object: object,
                              "cannot write the strings")
        }
    }
}
