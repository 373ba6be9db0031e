import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an HDF5 file so that readers see either the old file or the complete new one, never a
/// partial file: the content goes to `.<name>.tmp-<pid>` in the destination's directory (same file
/// system, so rename(2) is atomic), which is closed, synced and renamed over the destination. On any
/// failure the temporary file is removed and an existing destination is left untouched.
public enum AtomicHDF5Write {
    /// Runs `body` on the temporary file, then publishes it at `path`. Errors come out as `OutputError`
    /// naming `path`.
    public static func write(to path: String, _ body: (HDF5File) throws -> Void) throws {
        let temporary = temporaryPath(for: path)
        let file: HDF5File
        do {
            file = try HDF5File.create(temporary, overwrite: true)
        } catch {
            unlink(temporary)
            let reason = String(cString: strerror(errno))
            throw OutputError(file: path, problem: "cannot create a file in its directory (\(reason))")
        }
        do {
            try body(file)
            try file.close()
        } catch {
            try? file.close()
            unlink(temporary)
            throw outputError(error, path: path)
        }
        syncToDisk(temporary)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw OutputError(file: path, problem: "cannot rename the finished file into place (\(reason))")
        }
    }

    /// `.<name>.tmp-<pid>` beside `path`.
    public static func temporaryPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(directory).\(name).tmp-\(getpid())"
    }

    /// Removes temporaries of `path` left by processes that no longer exist (a run killed while writing
    /// a checkpoint leaves one); a live writer's temporary is kept.
    public static func removeStaleTemporaries(for path: String) {
        let prefix = (temporaryPath(for: path) as NSString).lastPathComponent.replacingOccurrences(of: "\(getpid())", with: "")
        let directory = (path as NSString).deletingLastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(directory.isEmpty ? name : directory + "/" + name)
            }
        }
    }

    /// Makes the content durable before the rename publishes it, so a crash cannot leave the new name
    /// pointing at unwritten blocks.
    private static func syncToDisk(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static func outputError(_ error: Error, path: String) -> Error {
        switch error {
        case let error as HDF5Error: return OutputError(file: path, dataset: error.object, problem: error.problem)
        case let error as OutputError: return OutputError(file: path, dataset: error.dataset, problem: error.problem)
        default: return OutputError(file: path, problem: "\(error)")
        }
    }
}
