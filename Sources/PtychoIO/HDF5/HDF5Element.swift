import CHDF5

/// A Swift scalar that HDF5 converts to and from in memory (its `H5T_NATIVE_*` type).
///
/// Reading any integer or float dataset into `Float` or `Double` lets HDF5 do the conversion.
public protocol HDF5NativeElement: Sendable {
    /// HDF5's in-memory type for this Swift type (a library constant: never closed).
    static var nativeType: hid_t { get }
}

extension Float: HDF5NativeElement { public static var nativeType: hid_t { ptychite_H5T_NATIVE_FLOAT() } }
extension Double: HDF5NativeElement { public static var nativeType: hid_t { ptychite_H5T_NATIVE_DOUBLE() } }
extension Int8: HDF5NativeElement { public static var nativeType: hid_t { ptychite_H5T_NATIVE_INT8() } }
extension UInt8: HDF5NativeElement { public static var nativeType: hid_t { ptychite_H5T_NATIVE_UINT8() } }
extension Int16: HDF5NativeElement { public static var nativeType: hid_t { ptychite_H5T_NATIVE_INT16() } }
extension UInt16: HDF5NativeElement { public static var nativeType: hid_t { ptychite_H5T_NATIVE_UINT16() } }
extension Int32: HDF5NativeElement { public static var nativeType: hid_t { ptychite_H5T_NATIVE_INT32() } }
extension UInt32: HDF5NativeElement { public static var nativeType: hid_t { ptychite_H5T_NATIVE_UINT32() } }
extension Int64: HDF5NativeElement { public static var nativeType: hid_t { ptychite_H5T_NATIVE_INT64() } }
extension UInt64: HDF5NativeElement { public static var nativeType: hid_t { ptychite_H5T_NATIVE_UINT64() } }

/// How a new dataset's elements are stored in the file (always little-endian).
public enum HDF5StorageType: Sendable, Equatable {
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64
    /// h5py's complex64: a compound `{r, i}` of float32.
    case complex64
    /// Variable-length UTF-8 strings (what h5py writes for `str`).
    case string

    /// A fresh type identifier; the caller closes it with `H5Tclose`.
    func makeFileType() -> hid_t {
        switch self {
        case .int8: return H5Tcopy(ptychite_H5T_STD_I8LE())
        case .uint8: return H5Tcopy(ptychite_H5T_STD_U8LE())
        case .int16: return H5Tcopy(ptychite_H5T_STD_I16LE())
        case .uint16: return H5Tcopy(ptychite_H5T_STD_U16LE())
        case .int32: return H5Tcopy(ptychite_H5T_STD_I32LE())
        case .uint32: return H5Tcopy(ptychite_H5T_STD_U32LE())
        case .int64: return H5Tcopy(ptychite_H5T_STD_I64LE())
        case .uint64: return H5Tcopy(ptychite_H5T_STD_U64LE())
        case .float32: return H5Tcopy(ptychite_H5T_IEEE_F32LE())
        case .float64: return H5Tcopy(ptychite_H5T_IEEE_F64LE())
        case .complex64: return HDF5Types.complexPair(member: ptychite_H5T_IEEE_F32LE())
        case .string: return HDF5Types.variableUTF8String()
        }
    }
}

/// Builders for the composite types Ptychite uses; each returns a fresh identifier to close.
enum HDF5Types {
    /// Compound `{r: member at 0, i: member at size(member)}`, h5py's layout for complex numbers and
    /// byte-for-byte the interleaved layout of `ComplexArray` when `member` is native float.
    static func complexPair(member: hid_t) -> hid_t {
        let size = H5Tget_size(member)
        let type = H5Tcreate(H5T_COMPOUND, 2 * size)
        H5Tinsert(type, "r", 0, member)
        H5Tinsert(type, "i", size, member)
        return type
    }

    /// In-memory complex64 matching `ComplexArray`'s interleaved floats.
    static func nativeComplex() -> hid_t { complexPair(member: ptychite_H5T_NATIVE_FLOAT()) }

    static func variableUTF8String() -> hid_t {
        let type = H5Tcopy(ptychite_H5T_C_S1())
        H5Tset_size(type, ptychite_H5T_VARIABLE())
        H5Tset_cset(type, H5T_CSET_UTF8)
        return type
    }
}

/// What a dataset's file type holds, as far as Ptychite cares.
public enum HDF5ElementKind: Sendable, Equatable, CustomStringConvertible {
    case integer(signed: Bool, bytes: Int)
    case float(bytes: Int)
    case string
    case compound(members: [String])
    case other

    /// Classifies a type identifier (not closed here).
    init(type: hid_t) {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_INTEGER: self = .integer(signed: H5Tget_sign(type) != H5T_SGN_NONE, bytes: size)
        case H5T_FLOAT: self = .float(bytes: size)
        case H5T_STRING: self = .string
        case H5T_COMPOUND:
            let count = max(0, Int(H5Tget_nmembers(type)))
            self = .compound(members: (0..<count).map { index in
                guard let name = H5Tget_member_name(type, UInt32(index)) else { return "" }
                defer { H5free_memory(name) }
                return String(cString: name)
            })
        default: self = .other
        }
    }

    /// Integers and floats: the kinds HDF5 converts to `Float`/`Double`.
    public var isNumeric: Bool {
        switch self {
        case .integer, .float: return true
        default: return false
        }
    }

    /// Complex numbers in h5py's `{r, i}` compound layout.
    public var isComplex: Bool { self == .compound(members: ["r", "i"]) }

    /// numpy-style name: `uint16`, `float32`, `string`, `compound{r,i}`.
    public var description: String {
        switch self {
        case let .integer(signed, bytes): return "\(signed ? "int" : "uint")\(8 * bytes)"
        case let .float(bytes): return "float\(8 * bytes)"
        case .string: return "string"
        case let .compound(members): return "compound{\(members.joined(separator: ","))}"
        case .other: return "unsupported type"
        }
    }
}
