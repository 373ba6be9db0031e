import Foundation

/// One line of `--progress jsonl`, parsed strictly: the job service reads exactly these keys, so a line
/// that is not a JSON object or lacks one of them (or has it with another type) is an error.
struct ProgressRecord {
    static let keys: Set<String> = ["iteration", "of", "engine", "fourier_error", "llk_poisson", "seconds", "mode_power"]

    let iteration: Int
    let of: Int
    let engine: String
    let fourierError: Double
    let poissonNLL: Double
    let seconds: Double
    /// Each probe mode's power fraction.
    let modePower: [Double]

    init(line: String) throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        guard let object = parsed as? [String: Any] else { throw ProgressLineError(line: line, problem: "not a JSON object") }
        let missing = Self.keys.subtracting(object.keys)
        guard missing.isEmpty else { throw ProgressLineError(line: line, problem: "missing \(missing.sorted())") }
        func integer(_ key: String) throws -> Int {
            guard let number = object[key] as? NSNumber, let value = Int(exactly: number.doubleValue) else {
                throw ProgressLineError(line: line, problem: "\(key) is not an integer")
            }
            return value
        }
        func real(_ key: String) throws -> Double {
            guard let number = object[key] as? NSNumber else {
                throw ProgressLineError(line: line, problem: "\(key) is not a number")
            }
            return number.doubleValue
        }
        guard let engine = object["engine"] as? String else {
            throw ProgressLineError(line: line, problem: "engine is not a string")
        }
        iteration = try integer("iteration")
        of = try integer("of")
        self.engine = engine
        fourierError = try real("fourier_error")
        poissonNLL = try real("llk_poisson")
        seconds = try real("seconds")
        guard let powers = object["mode_power"] as? [NSNumber], !powers.isEmpty else {
            throw ProgressLineError(line: line, problem: "mode_power is not a non-empty array of numbers")
        }
        modePower = powers.map(\.doubleValue)
    }
}

struct ProgressLineError: Error, CustomStringConvertible {
    let line: String
    let problem: String
    var description: String { "progress line \(problem): \(line)" }
}
