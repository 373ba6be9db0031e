import PtychoCore

/// A checkpoint file: the result layout (object, probe, positions, history, configuration) plus
/// `/entry_1/process_1/checkpoint/`, which holds where the run stands in its plan, the random source,
/// the running engine's state (DM's exit waves, …), the FFTW wisdom and the thread count, so that a
/// resumed run makes the same FFT plans and the same reductions and continues bit-for-bit.
///
/// Invariant: the object and probe are stored as the run holds them (modes not re-sorted).
public struct CheckpointContents {
    public var result: ReconstructionResult
    public var checkpoint: ReconstructionCheckpoint
    /// The input data file, absolute, as the run read it.
    public var inputPath: String
    public var fftWisdom: String
    /// Worker threads of the run (reductions over frames are summed per worker).
    public var threads: Int
    /// `CPUBackend.sequentialPlanIsThreaded` of the run.
    public var sequentialPlanThreaded: Bool

    public init(result: ReconstructionResult, checkpoint: ReconstructionCheckpoint, inputPath: String,
                fftWisdom: String, threads: Int, sequentialPlanThreaded: Bool) {
        self.result = result
        self.checkpoint = checkpoint
        self.inputPath = inputPath
        self.fftWisdom = fftWisdom
        self.threads = threads
        self.sequentialPlanThreaded = sequentialPlanThreaded
    }
}

/// Dataset paths of the checkpoint group.
enum CheckpointLayout {
    static let group = ResultLayout.process + "/checkpoint"
    static let stage = group + "/stage"
    static let stageIterationsDone = group + "/stage_iterations_done"
    static let randomState = group + "/random_state"
    static let inputPath = group + "/input"
    static let fftWisdom = group + "/fftw_wisdom"
    static let threads = group + "/threads"
    static let sequentialPlanThreaded = group + "/sequential_fft_threaded"
    static let engineState = group + "/engine_state"
    /// The refined background in the internal (fft-shifted) layout, only when the model has one.
    static let background = group + "/background"
    /// One string dataset per kind listing the names stored under `engine_state/<kind>/`.
    static func names(_ kind: String) -> String { engineState + "/\(kind)_names" }
    static func item(_ kind: String, _ name: String) -> String { engineState + "/\(kind)/\(name)" }
}

public struct CheckpointWriter: Sendable {
    public init() {}

    /// Writes atomically: a kill at any moment leaves either the previous checkpoint or this one.
    public func write(_ contents: CheckpointContents, to path: String) throws {
        try ResultWriter().write(contents.result, to: path) { file in
            let c = contents.checkpoint
            try file.createGroup(CheckpointLayout.group, nxClass: "NXcollection")
            try file.write(scalar: Int64(c.stage), to: CheckpointLayout.stage, as: .int64)
            try file.write(scalar: Int64(c.iterationsDoneInStage), to: CheckpointLayout.stageIterationsDone, as: .int64)
            let s = c.random.state
            try file.write([s.0, s.1, s.2, s.3].map { Int64(bitPattern: $0) }, to: CheckpointLayout.randomState,
                           as: .int64)
            try file.write(string: contents.inputPath, to: CheckpointLayout.inputPath)
            try file.write(string: contents.fftWisdom, to: CheckpointLayout.fftWisdom)
            try file.write(scalar: Int64(contents.threads), to: CheckpointLayout.threads, as: .int64)
            try file.write(scalar: Int64(contents.sequentialPlanThreaded ? 1 : 0),
                           to: CheckpointLayout.sequentialPlanThreaded, as: .int64)
            try writeEngineState(c.engineState, file)
            if let background = c.background {
                try file.write(Array(background.storage), to: CheckpointLayout.background, shape: background.shape,
                               as: .float32)
            }
        }
    }

    private func writeEngineState(_ state: EngineState, _ file: HDF5File) throws {
        try file.createGroup(CheckpointLayout.engineState, nxClass: "NXcollection")
        for kind in ["complex", "real", "integers", "numbers"] {
            try file.createGroup(CheckpointLayout.engineState + "/" + kind)
        }
        let complexNames = state.complexArrays.keys.sorted()
        for name in complexNames {
            try file.writeComplex(state.complexArrays[name]!, to: CheckpointLayout.item("complex", name))
        }
        let realNames = state.realArrays.keys.sorted()
        for name in realNames {
            let array = state.realArrays[name]!
            try file.write(Array(array.storage), to: CheckpointLayout.item("real", name), shape: array.shape,
                           as: .float32)
        }
        let integerNames = state.integers.keys.sorted()
        for name in integerNames {
            try file.write(state.integers[name]!.map(Int64.init), to: CheckpointLayout.item("integers", name),
                           as: .int64)
        }
        let numberNames = state.numbers.keys.sorted()
        for name in numberNames {
            try file.write(state.numbers[name]!, to: CheckpointLayout.item("numbers", name), as: .float64)
        }
        for (kind, names) in [("complex", complexNames), ("real", realNames), ("integers", integerNames),
                              ("numbers", numberNames)] {
            try file.write(strings: names, to: CheckpointLayout.names(kind))
        }
    }
}

public struct CheckpointReader: Sendable {
    public init() {}

    /// Every missing or malformed dataset is an `InputError` naming the file and dataset.
    public func read(path: String) throws -> CheckpointContents {
        let result = try ResultReader().read(path: path)
        let file = try InputFile.openHDF5(path)
        defer { try? file.close() }
        guard file.exists(CheckpointLayout.group) else {
            throw InputError.unreadableDataset(file: path, dataset: CheckpointLayout.group,
                                               reason: "missing: this is a result, not a checkpoint")
        }
        let stage: [Int64] = try file.inputNumbers(CheckpointLayout.stage, shape: [], expected: "a scalar")
        let done: [Int64] = try file.inputNumbers(CheckpointLayout.stageIterationsDone, shape: [], expected: "a scalar")
        let words: [Int64] = try file.inputNumbers(CheckpointLayout.randomState, shape: [4], expected: "(4,)")
        let state = words.map { UInt64(bitPattern: $0) }
        let threads: [Int64] = try file.inputNumbers(CheckpointLayout.threads, shape: [], expected: "a scalar")
        let threaded: [Int64] = try file.inputNumbers(CheckpointLayout.sequentialPlanThreaded, shape: [],
                                                      expected: "a scalar")
        guard threads[0] >= 1 else {
            throw InputError.unreadableDataset(file: path, dataset: CheckpointLayout.threads, reason: "must be ≥ 1")
        }
        let checkpoint = ReconstructionCheckpoint(
            stage: Int(stage[0]), iterationsDoneInStage: Int(done[0]),
            random: RandomSource(state: (state[0], state[1], state[2], state[3])),
            engineState: try readEngineState(file), history: result.history,
            background: try readBackground(file))
        return CheckpointContents(result: result, checkpoint: checkpoint,
                                  inputPath: try file.inputString(CheckpointLayout.inputPath),
                                  fftWisdom: try file.inputString(CheckpointLayout.fftWisdom),
                                  threads: Int(threads[0]), sequentialPlanThreaded: threaded[0] != 0)
    }

    private func readBackground(_ file: HDF5File) throws -> RealArray? {
        guard file.exists(CheckpointLayout.background) else { return nil }
        let dataset = try file.inputDataset(CheckpointLayout.background)
        let values: [Float] = try file.inputNumbers(CheckpointLayout.background, rank: 2, expected: "(ny, nx)")
        let array = RealArray(shape: dataset.shape)
        _ = array.storage.update(fromContentsOf: values)
        return array
    }

    private func readEngineState(_ file: HDF5File) throws -> EngineState {
        var state = EngineState()
        for name in try file.inputStrings(CheckpointLayout.names("complex")) {
            let path = CheckpointLayout.item("complex", name)
            state.complexArrays[name] = try file.inputComplex(path, expected: "a complex array") { $0 }
        }
        for name in try file.inputStrings(CheckpointLayout.names("real")) {
            let path = CheckpointLayout.item("real", name)
            let dataset = try file.inputDataset(path)
            let values: [Float] = try file.inputNumbers(path, expected: "a float32 array")
            let array = RealArray(shape: dataset.shape)
            _ = array.storage.update(fromContentsOf: values)
            state.realArrays[name] = array
        }
        for name in try file.inputStrings(CheckpointLayout.names("integers")) {
            let values: [Int64] = try file.inputNumbers(CheckpointLayout.item("integers", name), rank: 1, expected: "(n,)")
            state.integers[name] = values.map { Int($0) }
        }
        for name in try file.inputStrings(CheckpointLayout.names("numbers")) {
            state.numbers[name] = try file.inputNumbers(CheckpointLayout.item("numbers", name), rank: 1, expected: "(n,)")
        }
        return state
    }
}
