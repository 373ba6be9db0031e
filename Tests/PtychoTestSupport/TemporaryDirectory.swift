import Foundation

/// A fresh directory under the system temporary directory, removed on deinit; shared by the test targets.
public final class TemporaryDirectory {
    public let path: String

    public init(prefix: String = "ptychite-test-") throws {
        path = NSTemporaryDirectory() + prefix + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    /// Names in the directory, hidden ones (the atomic writers' `.<name>.tmp-<pid>`) included.
    public func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
