import Foundation

/// Why an input path was refused.
public enum InputPathError: Error, Equatable, CustomStringConvertible {
    /// Absolute, contains `..`, or resolves (through symlinks) outside the data root: HTTP 403.
    case outsideDataRoot(key: String, path: String)
    /// Inside the root but not an existing regular file: HTTP 400.
    case notFound(key: String, path: String)

    public var description: String {
        switch self {
        case .outsideDataRoot(let key, let path): return "'\(key)': \(path) is outside the data directory"
        case .notFound(let key, let path): return "'\(key)': \(path) is not a file in the data directory"
        }
    }
}

/// Turns a user's relative input path into an absolute path that is guaranteed to be inside the data root.
///
/// Invariant: `resolve` returns only paths whose fully symlink-resolved form starts with the resolved root
/// followed by `/`; absolute paths and any `..` component are refused before touching the file system.
public struct InputPathPolicy: Sendable {
    /// The data root with symlinks resolved.
    public let root: String

    public init(dataDirectory: String) {
        root = URL(fileURLWithPath: dataDirectory).resolvingSymlinksInPath().standardizedFileURL.path
    }

    public func resolve(_ relative: String, key: String) throws -> String {
        guard !relative.isEmpty, !relative.hasPrefix("/"), !relative.hasPrefix("~"),
              !relative.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }),
              !relative.contains("\0") else {
            throw InputPathError.outsideDataRoot(key: key, path: relative)
        }
        let joined = URL(fileURLWithPath: root).appendingPathComponent(relative)
        // A path that does not resolve (missing file, dangling symlink) is never handed to the child.
        guard let resolved = Self.realPath(joined.path) else { throw InputPathError.notFound(key: key, path: relative) }
        guard resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
            throw InputPathError.outsideDataRoot(key: key, path: relative)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw InputPathError.notFound(key: key, path: relative)
        }
        return resolved
    }

    /// `realpath(3)`: every symlink resolved, nil when the path does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
