import PtychoCore

/// Reads a file written by `ResultWriter` (or a checkpoint) back into a `ReconstructionResult`, for
/// `--probe FILE`, resuming and `ptychite compare`. Every missing or malformed dataset is an `InputError`.
public struct ResultReader: Sendable {
    public init() {}

    public func read(path: String) throws -> ReconstructionResult {
        let file = try InputFile.openHDF5(path)
        defer { try? file.close() }
        let object = try file.inputComplex(ResultLayout.objectData, expected: "(modes, H, W) or (H, W)") {
            $0.count == 3 ? $0 : $0.count == 2 ? [1] + $0 : nil
        }
        let height = object.shape[1], width = object.shape[2]
        let illumination = RealArray(shape: [height, width])
        let illuminationValues: [Float] = try file.inputNumbers(ResultLayout.illumination, shape: [height, width],
                                                                expected: ShapeText.tuple([height, width]))
        _ = illumination.storage.update(fromContentsOf: illuminationValues)
        let probe = try readProbe(file)
        let modePower: [Float] = try file.inputNumbers(ResultLayout.modePower, shape: [probe.shape[0]],
                                                       expected: ShapeText.tuple([probe.shape[0]]))
        let initial = try file.inputPositions(ResultLayout.initialPositions)
        let refined = try file.inputPositions(ResultLayout.refinedPositions)
        guard refined.count == initial.count else {
            throw InputError.wrongShape(file: path, dataset: ResultLayout.refinedPositions,
                                        expected: ShapeText.tuple([initial.count, 2]), found: [refined.count, 2])
        }
        var result = ReconstructionResult(
            object: object, objectPixelSize: (y: try file.inputPositiveScalar(ResultLayout.objectYPixelSize),
                                              x: try file.inputPositiveScalar(ResultLayout.objectXPixelSize)),
            illumination: illumination, probe: probe, modePower: modePower, initialPositions: initial,
            refinedPositions: refined, history: try readHistory(file),
            configurationJSON: try file.inputString(ResultLayout.configuration),
            provenance: Provenance(program: try file.inputString(ResultLayout.program),
                                   version: try file.inputString(ResultLayout.programVersion),
                                   command: try file.inputString(ResultLayout.command),
                                   date: try file.inputString(ResultLayout.date),
                                   device: try file.inputString(ResultLayout.device)),
            geometry: try readGeometry(file, frameHeight: probe.shape[1], frameWidth: probe.shape[2]),
            translationConvention: try readConvention(file))
        result.background = try file.optionalRealImage(ResultLayout.background, height: probe.shape[1],
                                                       width: probe.shape[2])
        return result
    }

    /// Only the probe modes `(modes, ny, nx)`: what `--probe FILE` needs, from a result or truth file.
    public func readProbe(path: String) throws -> ComplexArray {
        let file = try InputFile.openHDF5(path)
        defer { try? file.close() }
        return try readProbe(file)
    }

    /// Mode 0 of the object, `(H, W)`: what `object_init: FILE` needs.
    public func readObject(path: String) throws -> ComplexArray {
        let file = try InputFile.openHDF5(path)
        defer { try? file.close() }
        let object = try file.inputComplex(ResultLayout.objectData, expected: "(modes, H, W) or (H, W)") {
            $0.count == 3 ? $0 : $0.count == 2 ? [1] + $0 : nil
        }
        let height = object.shape[1], width = object.shape[2]
        guard object.shape[0] > 1 else { return ComplexArray(copying: object, shape: [height, width]) }
        let mode0 = ComplexArray(shape: [height, width])
        mode0.pointer.update(from: object.pointer, count: 2 * height * width)
        return mode0
    }

    private func readProbe(_ file: HDF5File) throws -> ComplexArray {
        try file.inputComplex(ResultLayout.probeData, expected: "(modes, ny, nx) or (ny, nx)") {
            $0.count == 3 ? $0 : $0.count == 2 ? [1] + $0 : nil
        }
    }

    private func readHistory(_ file: HDF5File) throws -> [IterationRecord] {
        let iterations: [Int64] = try file.inputNumbers(ResultLayout.historyIteration, rank: 1, expected: "(iterations,)")
        let count = iterations.count
        let expected = ShapeText.tuple([count])
        let engines = try file.inputStrings(ResultLayout.historyEngine)
        guard engines.count == count else {
            throw InputError.wrongShape(file: file.path, dataset: ResultLayout.historyEngine, expected: expected,
                                        found: [engines.count])
        }
        let fourier: [Double] = try file.inputNumbers(ResultLayout.historyFourierError, shape: [count], expected: expected)
        let poisson: [Double] = try file.inputNumbers(ResultLayout.historyPoissonNLL, shape: [count], expected: expected)
        let seconds: [Double] = try file.inputNumbers(ResultLayout.historySeconds, shape: [count], expected: expected)
        // Optional: files written before per-iteration mode powers were recorded have none.
        var modePower = [[Float]](repeating: [], count: count)
        if file.exists(ResultLayout.historyModePower) {
            let values: [Float] = try file.inputNumbers(ResultLayout.historyModePower, rank: 2,
                                                        expected: "(\(count), modes)")
            let modes = count > 0 ? values.count / count : 0
            guard modes * count == values.count else {
                throw InputError.wrongShape(file: file.path, dataset: ResultLayout.historyModePower,
                                            expected: "(\(count), modes)", found: [values.count])
            }
            for j in 0..<count where !values[j * modes].isNaN {
                modePower[j] = Array(values[(j * modes)..<((j + 1) * modes)])
            }
        }
        return (0..<count).map {
            IterationRecord(iteration: Int(iterations[$0]), engine: engines[$0], fourierError: fourier[$0],
                            poissonNLL: poisson[$0], seconds: seconds[$0], modePower: modePower[$0])
        }
    }

    private func readGeometry(_ file: HDF5File, frameHeight: Int, frameWidth: Int) throws -> ExperimentGeometry {
        ExperimentGeometry(energy: try file.inputPositiveScalar(ResultLayout.energy),
                           distance: try file.inputPositiveScalar(ResultLayout.distance),
                           detectorPixelSizeY: try file.inputPositiveScalar(ResultLayout.detectorYPixelSize),
                           detectorPixelSizeX: try file.inputPositiveScalar(ResultLayout.detectorXPixelSize),
                           frameHeight: frameHeight, frameWidth: frameWidth)
    }

    private func readConvention(_ file: HDF5File) throws -> TranslationConvention {
        let attribute = ResultLayout.positions + "@" + ResultLayout.translationConventionAttribute
        let text = try file.inputRead(attribute) {
            try file.stringAttribute(ResultLayout.translationConventionAttribute, of: ResultLayout.positions)
        }
        guard let text else { throw InputError.missingDataset(file: file.path, dataset: attribute) }
        guard let convention = TranslationConvention(rawValue: text) else {
            throw InputError.unreadableDataset(file: file.path, dataset: attribute,
                                               reason: "\"\(text)\" is neither sample nor probe")
        }
        return convention
    }
}
