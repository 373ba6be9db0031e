import Foundation

/// The files under the data root a job may name as its input (`GET /api/v1/inputs`), for the web page's
/// input picker.
///
/// Invariants: every listed path is relative to the data root and is accepted by `InputPathPolicy.resolve`
/// (a regular file whose fully resolved path lies inside the root), so listing never discloses anything
/// outside it; symlinked folders are not descended into (no cycles, no escapes); hidden entries are skipped;
/// the walk stops after `maxFiles` files or below `maxDepth` folders, and says so with `truncated`.
struct DataFolderListing: Encodable {
    struct Entry: Encodable {
        let path: String
        let size: Int
        let modified: Date?
    }

    let inputs: [Entry]
    let truncated: Bool

    static func list(policy: InputPathPolicy, maxFiles: Int = 5000, maxDepth: Int = 8) -> DataFolderListing {
        var entries: [Entry] = []
        var truncated = false
        let fm = FileManager.default

        func walk(_ relative: String, depth: Int) {
            let folder = relative.isEmpty ? policy.root : policy.root + "/" + relative
            guard let names = try? fm.contentsOfDirectory(atPath: folder) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                guard entries.count < maxFiles else { truncated = true; return }
                let path = relative.isEmpty ? name : relative + "/" + name
                // attributesOfItem does not follow a final symlink: its type is the link's own.
                guard let attributes = try? fm.attributesOfItem(atPath: policy.root + "/" + path),
                      let type = attributes[.type] as? FileAttributeType else { continue }
                switch type {
                case .typeDirectory:
                    if depth < maxDepth { walk(path, depth: depth + 1) } else { truncated = true }
                case .typeRegular, .typeSymbolicLink:
                    guard let resolved = try? policy.resolve(path, key: "input"),
                          let target = try? fm.attributesOfItem(atPath: resolved) else { continue }
                    entries.append(Entry(path: path, size: (target[.size] as? NSNumber)?.intValue ?? 0,
                                         modified: target[.modificationDate] as? Date))
                default:
                    continue
                }
            }
        }
        walk("", depth: 1)
        return DataFolderListing(inputs: entries, truncated: truncated)
    }
}
