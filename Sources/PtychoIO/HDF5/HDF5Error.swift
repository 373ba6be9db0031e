import CHDF5

/// One HDF5 failure as a single line: the file, the object inside it, and what went wrong.
///
/// HDF5's own error stack is silenced (see `HDF5Library.prepare()`), so this is the only report a
/// failure produces.
public struct HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as the caller named it.
    public let file: String
    /// The object path inside the file (`/` for the file itself).
    public let object: String
    public let problem: String

    public init(file: String, object: String, problem: String) {
        self.file = file
        self.object = object
        self.problem = problem
    }

    public var description: String { "\(file): \(object): \(problem)" }
}

/// Library-wide set-up that must precede any HDF5 call on the current thread.
enum HDF5Library {
    /// Initialises HDF5 and turns off its automatic error-stack printing. The threadsafe build keeps
    /// that setting per thread, so every entry point calls this; it is idempotent and cheap.
    static func prepare() {
        _ = H5open()
        ptychite_H5_silence_errors()
    }
}

/// Owns one long-lived HDF5 identifier and closes it exactly once.
///
/// Files are opened with the strong close degree, which closes every object of the file with it. A
/// dataset's handle therefore keeps its file's handle (`file`) and skips its own close once the file has
/// closed, rather than closing an identifier HDF5 already released.
final class HDF5Handle {
    enum Kind { case file, dataset }

    let id: hid_t
    let kind: Kind
    /// The file a dataset lives in; kept alive so the file closes after its datasets unless closed explicitly.
    let file: HDF5Handle?
    private(set) var isClosed = false

    init(_ id: hid_t, kind: Kind, file: HDF5Handle? = nil) {
        self.id = id
        self.kind = kind
        self.file = file
    }

    /// Closes the identifier; returns HDF5's status (negative on failure, e.g. a flush that failed).
    @discardableResult
    func close() -> herr_t {
        guard !isClosed else { return 0 }
        isClosed = true
        if file?.isClosed == true { return 0 }
        switch kind {
        case .file: return H5Fclose(id)
        case .dataset: return H5Dclose(id)
        }
    }

    deinit { close() }
}

/// Throws `HDF5Error` when an HDF5 call returned a negative status or identifier.
@inline(__always)
func hdf5Check<T: BinaryInteger>(_ status: T, file: String, object: String,
                                 _ problem: @autoclosure () -> String) throws -> T {
    guard status >= 0 else { throw HDF5Error(file: file, object: object, problem: problem()) }
    return status
}
