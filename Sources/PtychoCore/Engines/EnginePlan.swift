import Foundation

/// The engines Ptychite runs. Names are matched case-insensitively on input.
public enum EngineKind: String, Sendable, Codable, CaseIterable {
    case ePIE
    case differenceMap = "DM"
    case rPIE, mPIE
    case relaxedAveragedAlternatingReflections = "RAAR"
    case alternatingProjections = "AP"
    case maximumLikelihood = "ML"

    /// Whether the engine keeps an exit wave per frame and mode (the projection engines' memory cost).
    public var storesExitWaves: Bool {
        [.differenceMap, .relaxedAveragedAlternatingReflections, .alternatingProjections].contains(self)
    }

    /// Parses an engine name, ignoring case (`dm`, `DM`, `epie`, `ePIE`).
    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = kind
    }
}

/// One stage of an engine plan: an engine and how many iterations it runs.
public struct EngineStage: Sendable, Equatable {
    public var engine: EngineKind
    public var iterations: Int
    public init(engine: EngineKind, iterations: Int) {
        self.engine = engine
        self.iterations = iterations
    }
}

/// An ordered list of stages, e.g. `DM:200,ePIE:50`; each stage continues from the previous one's object
/// and probe. Invariant: at least one stage, every stage ≥ 1 iteration.
public struct EnginePlan: Sendable, Equatable, CustomStringConvertible {
    public var stages: [EngineStage]

    public init(stages: [EngineStage]) throws {
        guard !stages.isEmpty else { throw EnginePlanError.empty }
        self.stages = stages
    }

    /// Parses `NAME:ITERATIONS[,NAME:ITERATIONS…]`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var stages: [EngineStage] = []
        for part in parts where !part.isEmpty {
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 2 else { throw EnginePlanError.malformed(part) }
            let name = String(fields[0]).trimmingCharacters(in: .whitespaces)
            guard let kind = EngineKind(name: name) else { throw EnginePlanError.unknownEngine(name) }
            guard let count = Int(fields[1].trimmingCharacters(in: .whitespaces)), count > 0 else {
                throw EnginePlanError.badIterations(part)
            }
            stages.append(EngineStage(engine: kind, iterations: count))
        }
        try self.init(stages: stages)
    }

    public var totalIterations: Int { stages.reduce(0) { $0 + $1.iterations } }
    public var usesExitWaves: Bool { stages.contains { $0.engine.storesExitWaves } }
    public var usesLikelihood: Bool { stages.contains { $0.engine == .maximumLikelihood } }
    public var usesMomentum: Bool { stages.contains { $0.engine == .mPIE } }
    public var description: String { stages.map { "\($0.engine.rawValue):\($0.iterations)" }.joined(separator: ",") }
}

public enum EnginePlanError: Error, CustomStringConvertible, Equatable {
    case empty, malformed(String), unknownEngine(String), badIterations(String)

    public var description: String {
        let known = EngineKind.allCases.map(\.rawValue).joined(separator: ", ")
        switch self {
        case .empty: return "engine plan is empty; expected e.g. DM:200,ePIE:50"
        case .malformed(let p): return "engine plan stage '\(p)' is not NAME:ITERATIONS"
        case .unknownEngine(let n): return "unknown engine '\(n)' (known: \(known))"
        case .badIterations(let p): return "engine plan stage '\(p)' needs a positive iteration count"
        }
    }
}

