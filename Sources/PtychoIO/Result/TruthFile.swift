import PtychoCore

/// Writes a simulation's `SimulationTruth` to its own file (never inside the measured data), atomically.
///
/// Layout: `/entry_1/object/data` complex64 `(H, W)` with `x_pixel_size`, `y_pixel_size`, `origin_row`,
/// `origin_column` (float64) beside it; `/entry_1/probe/data` complex64 `(modes, ny, nx)`;
/// `/entry_1/positions/true` float64 `(N, 2)` `[y, x]` m.
public struct TruthWriter: Sendable {
    public init() {}

    public func write(_ truth: SimulationTruth, to path: String) throws {
        try AtomicHDF5Write.write(to: path) { file in
            try file.write(scalar: ResultLayout.cxiVersion, to: ResultLayout.version, as: .int64)
            try file.createGroup(ResultLayout.entry, nxClass: "NXentry")
            try file.createGroup(ResultLayout.object, nxClass: "NXdata")
            try file.setAttribute("signal", "data", on: ResultLayout.object)
            try file.writeComplex(truth.object, to: ResultLayout.objectData)
            try file.write(scalar: truth.pixelSize.x, to: ResultLayout.objectXPixelSize, as: .float64)
            try file.write(scalar: truth.pixelSize.y, to: ResultLayout.objectYPixelSize, as: .float64)
            try file.write(scalar: truth.originRow, to: ResultLayout.originRow, as: .float64)
            try file.write(scalar: truth.originColumn, to: ResultLayout.originColumn, as: .float64)
            try file.createGroup(ResultLayout.probe, nxClass: "NXdata")
            try file.setAttribute("signal", "data", on: ResultLayout.probe)
            try file.writeComplex(truth.probe, to: ResultLayout.probeData)
            try file.createGroup(ResultLayout.positions, nxClass: "NXcollection")
            try file.writePositions(truth.positions, to: ResultLayout.truePositions)
            if let background = truth.background {
                try file.writeRealImage(background, to: ResultLayout.truthBackground)
            }
        }
    }
}

/// Reads a truth file; the object may be stored `(H, W)` or `(1, H, W)` and comes back `[H, W]`.
public struct TruthReader: Sendable {
    public init() {}

    public func read(path: String) throws -> SimulationTruth {
        let file = try InputFile.openHDF5(path)
        defer { try? file.close() }
        let object = try file.inputComplex(ResultLayout.objectData, expected: "(H, W) or (1, H, W)") {
            $0.count == 2 ? $0 : ($0.count == 3 && $0[0] == 1) ? Array($0.dropFirst()) : nil
        }
        let probe = try file.inputComplex(ResultLayout.probeData, expected: "(modes, ny, nx) or (ny, nx)") {
            $0.count == 3 ? $0 : $0.count == 2 ? [1] + $0 : nil
        }
        var truth = SimulationTruth(
            object: object, probe: probe, positions: try file.inputPositions(ResultLayout.truePositions),
            pixelSize: (y: try file.inputPositiveScalar(ResultLayout.objectYPixelSize),
                        x: try file.inputPositiveScalar(ResultLayout.objectXPixelSize)),
            originRow: try finiteScalar(file, ResultLayout.originRow),
            originColumn: try finiteScalar(file, ResultLayout.originColumn))
        truth.background = try file.optionalRealImage(ResultLayout.truthBackground, height: probe.shape[1],
                                                      width: probe.shape[2])
        return truth
    }

    private func finiteScalar(_ file: HDF5File, _ objectPath: String) throws -> Double {
        let values: [Double] = try file.inputNumbers(objectPath, expected: "a scalar")
        guard values.count == 1 else {
            throw InputError.wrongShape(file: file.path, dataset: objectPath, expected: "a scalar", found: [values.count])
        }
        guard values[0].isFinite else {
            throw InputError.invalidValue(file: file.path, dataset: objectPath, requirement: "must be finite",
                                          found: values[0])
        }
        return values[0]
    }
}
