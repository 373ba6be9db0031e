import PtychoCore

/// Writes a `ReconstructionResult` in the spec's output layout (CXI-style; opens in silx and h5py),
/// atomically: a reader sees the previous file or the complete new one. Also used for checkpoints.
public struct ResultWriter: Sendable {
    public init() {}

    /// Each section checks its own inputs as it goes; a failure anywhere leaves no file and no temporary.
    /// `extra` adds datasets (a checkpoint's) to the same file before it is published.
    public func write(_ result: ReconstructionResult, to path: String,
                      extra: (HDF5File) throws -> Void = { _ in }) throws {
        try AtomicHDF5Write.write(to: path) { file in
            try file.write(scalar: ResultLayout.cxiVersion, to: ResultLayout.version, as: .int64)
            try file.createGroup(ResultLayout.entry, nxClass: "NXentry")
            try writeObject(result, file)
            try writeProbe(result, file)
            try writePositions(result, file)
            try writeProcess(result, file)
            try writeInstrument(result.geometry, file)
            try extra(file)
        }
    }

    private func writeObject(_ result: ReconstructionResult, _ file: HDF5File) throws {
        let object = result.object
        guard object.shape.count == 3 || object.shape.count == 2 else {
            throw OutputError(file: file.path, dataset: ResultLayout.objectData,
                              problem: "object must be (modes, H, W), got \(ShapeText.tuple(object.shape))")
        }
        let shape = object.shape.count == 3 ? object.shape : [1] + object.shape
        guard result.illumination.shape == Array(shape.dropFirst()) else {
            throw OutputError(file: file.path, dataset: ResultLayout.illumination,
                              problem: "illumination \(ShapeText.tuple(result.illumination.shape)) does not "
                                  + "match the object's \(ShapeText.tuple(Array(shape.dropFirst())))")
        }
        try file.createGroup(ResultLayout.object, nxClass: "NXdata")
        try file.setAttribute("signal", "data", on: ResultLayout.object)
        try file.writeComplex(object, to: ResultLayout.objectData, shape: shape)
        try file.write(scalar: result.objectPixelSize.x, to: ResultLayout.objectXPixelSize, as: .float64)
        try file.write(scalar: result.objectPixelSize.y, to: ResultLayout.objectYPixelSize, as: .float64)
        try file.createDataset(ResultLayout.illumination, type: .float32, shape: result.illumination.shape)
            .writeRows(0..<shape[1], from: result.illumination.pointer)
    }

    private func writeProbe(_ result: ReconstructionResult, _ file: HDF5File) throws {
        guard result.probe.shape.count == 3 else {
            throw OutputError(file: file.path, dataset: ResultLayout.probeData,
                              problem: "probe must be (modes, ny, nx), got \(ShapeText.tuple(result.probe.shape))")
        }
        guard result.modePower.count == result.probe.shape[0] else {
            throw OutputError(file: file.path, dataset: ResultLayout.modePower,
                              problem: "\(result.modePower.count) values for \(result.probe.shape[0]) probe modes")
        }
        try file.createGroup(ResultLayout.probe, nxClass: "NXdata")
        try file.setAttribute("signal", "data", on: ResultLayout.probe)
        try file.writeComplex(result.probe, to: ResultLayout.probeData)
        try file.write(result.modePower, to: ResultLayout.modePower, as: .float32)
    }

    private func writePositions(_ result: ReconstructionResult, _ file: HDF5File) throws {
        guard result.initialPositions.count == result.refinedPositions.count else {
            throw OutputError(file: file.path, dataset: ResultLayout.refinedPositions,
                              problem: "\(result.refinedPositions.count) refined positions for "
                                  + "\(result.initialPositions.count) initial ones")
        }
        try file.createGroup(ResultLayout.positions, nxClass: "NXcollection")
        try file.setAttribute(ResultLayout.translationConventionAttribute, result.translationConvention.rawValue,
                              on: ResultLayout.positions)
        try file.writePositions(result.initialPositions, to: ResultLayout.initialPositions)
        try file.writePositions(result.refinedPositions, to: ResultLayout.refinedPositions)
    }

    private func writeProcess(_ result: ReconstructionResult, _ file: HDF5File) throws {
        try file.createGroup(ResultLayout.process, nxClass: "NXprocess")
        try file.createGroup(ResultLayout.history, nxClass: "NXcollection")
        let history = result.history
        try file.write(history.map { Int64($0.iteration) }, to: ResultLayout.historyIteration, as: .int64)
        try file.write(strings: history.map(\.engine), to: ResultLayout.historyEngine)
        try file.write(history.map(\.fourierError), to: ResultLayout.historyFourierError, as: .float64)
        try file.write(history.map(\.poissonNLL), to: ResultLayout.historyPoissonNLL, as: .float64)
        try file.write(history.map(\.seconds), to: ResultLayout.historySeconds, as: .float64)
        // One row per iteration, one column per probe mode; NaN rows where a record carries none.
        let modes = result.probe.shape.count == 3 ? result.probe.shape[0] : 1
        let modePower = history.flatMap {
            $0.modePower.count == modes ? $0.modePower : [Float](repeating: .nan, count: modes)
        }
        try file.write(modePower, to: ResultLayout.historyModePower, shape: [history.count, modes], as: .float32)
        try file.write(string: result.configurationJSON, to: ResultLayout.configuration)
        let provenance = result.provenance
        try file.write(string: provenance.program, to: ResultLayout.program)
        try file.write(string: provenance.version, to: ResultLayout.programVersion)
        try file.write(string: provenance.command, to: ResultLayout.command)
        try file.write(string: provenance.date, to: ResultLayout.date)
        try file.write(string: provenance.device, to: ResultLayout.device)
        if let background = result.background {
            try file.writeRealImage(background, to: ResultLayout.background)
        }
    }

    // rPIE / mPIE / RAAR / background
    private func writeInstrument(_ geometry: ExperimentGeometry, _ file: HDF5File) throws {
        try file.createGroup(ResultLayout.instrument, nxClass: "NXinstrument")
        try file.createGroup(ResultLayout.instrument + "/source_1", nxClass: "NXsource")
        try file.createGroup(ResultLayout.instrument + "/detector_1", nxClass: "NXdetector")
        for (value, path, units) in [(geometry.energy, ResultLayout.energy, "J"),
                                     (geometry.distance, ResultLayout.distance, "m"),
                                     (geometry.detectorPixelSizeX, ResultLayout.detectorXPixelSize, "m"),
                                     (geometry.detectorPixelSizeY, ResultLayout.detectorYPixelSize, "m")] {
            try file.write(scalar: value, to: path, as: .float64)
            try file.setAttribute("units", units, on: path)
        }
    }
}
