/// The benchmark's command line: `--name value` options and bare flags, in any order; a missing or
/// malformed value keeps the default.
struct ArgumentList {
    private let arguments: [String]

    init(_ arguments: [String]) { self.arguments = arguments }

    func value(_ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    func integer(_ name: String, default fallback: Int) -> Int { value(name).flatMap { Int($0) } ?? fallback }

    /// A comma- (or other separator-) separated list.
    func list(_ name: String, separator: Character = ",", default fallback: [String]) -> [String] {
        value(name).map { $0.split(separator: separator).map(String.init) } ?? fallback
    }

    func contains(_ flag: String) -> Bool { arguments.contains(flag) }
}
