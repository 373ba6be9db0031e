import PtychoCore

/// Writes a `DiffractionDataset` as a CXI 1.6 input file in the layout `CXIReader` reads (used by
/// `ptychite simulate`), atomically.
///
/// The frames go to `/entry_1/instrument_1/detector_1/data`, chunked one frame per chunk, with a soft
/// link at `/entry_1/data_1/data` (as CXI writers do). By default the translation is the *sample*
/// translation `(N, 3)` `[x, y, z]` = −probe position, as the CXI text says; the other layout and
/// convention exist to test readers.
public struct CXIWriter: Sendable {
    /// Element type of the frames in the file.
    public enum FrameType: Sendable {
        /// Values as they are.
        case float32
        /// Photon counts: rounded to the nearest integer, clamped to `0…UInt32.max`.
        case uint32
    }

    public var frameType: FrameType
    public var translationLayout: TranslationLayout
    public var translationConvention: TranslationConvention
    /// Frames converted per write when `frameType` is `.uint32` (bounds the conversion buffer).
    public var framesPerBatch: Int

    public init(frameType: FrameType = .float32, translationLayout: TranslationLayout = .framesByAxes,
                translationConvention: TranslationConvention = .sample, framesPerBatch: Int = 32) {
        precondition(framesPerBatch >= 1, "framesPerBatch must be ≥ 1")
        self.frameType = frameType
        self.translationLayout = translationLayout
        self.translationConvention = translationConvention
        self.framesPerBatch = framesPerBatch
    }

    public func write(_ dataset: DiffractionDataset, to path: String) throws {
        try AtomicHDF5Write.write(to: path) { file in
            try file.write(scalar: ResultLayout.cxiVersion, to: CXILayout.version, as: .int64)
            try file.createGroup("/entry_1", nxClass: "NXentry")
            try file.createGroup("/entry_1/instrument_1", nxClass: "NXinstrument")
            try file.createGroup("/entry_1/instrument_1/source_1", nxClass: "NXsource")
            try file.createGroup(CXILayout.detector, nxClass: "NXdetector")
            try writeFrames(dataset, file)
            try file.createGroup("/entry_1/data_1", nxClass: "NXdata")
            try file.setAttribute("signal", "data", on: "/entry_1/data_1")
            try file.createSoftLink(CXILayout.dataPaths[0], to: CXILayout.dataPaths[1])
            try writeGeometry(dataset.geometry, file)
            try writeMask(dataset.mask, file)
            try writeTranslation(dataset.positions, file)
        }
    }

    private func writeFrames(_ dataset: DiffractionDataset, _ file: HDF5File) throws {
        let (count, height, width) = (dataset.frameCount, dataset.frameHeight, dataset.frameWidth)
        let frames = try file.createDataset(CXILayout.dataPaths[1], type: frameType == .float32 ? .float32 : .uint32,
                                            shape: [count, height, width], chunk: [1, height, width])
        switch frameType {
        case .float32:
            try frames.writeRows(0..<count, from: dataset.intensities.pointer)
        case .uint32:
            let pixels = height * width
            var counts = [UInt32](repeating: 0, count: min(count, framesPerBatch) * pixels)
            for start in stride(from: 0, to: count, by: framesPerBatch) {
                let rows = start..<min(count, start + framesPerBatch)
                let source = dataset.intensities.slice(start)
                for index in 0..<(rows.count * pixels) {
                    let value = source[index].rounded()
                    counts[index] = value.isNaN || value <= 0 ? 0 : value >= 0x1p32 ? .max : UInt32(value)
                }
                try counts.withUnsafeBufferPointer { try frames.writeRows(rows, from: $0.baseAddress!) }
            }
        }
        try file.setAttribute("units", "counts", on: CXILayout.dataPaths[1])
    }

    private func writeGeometry(_ geometry: ExperimentGeometry, _ file: HDF5File) throws {
        for (value, path, units) in [(geometry.energy, CXILayout.energyPaths[0], "J"),
                                     (geometry.distance, CXILayout.distance, "m"),
                                     (geometry.detectorPixelSizeX, CXILayout.xPixelSize, "m"),
                                     (geometry.detectorPixelSizeY, CXILayout.yPixelSize, "m")] {
            try file.write(scalar: value, to: path, as: .float64)
            try file.setAttribute("units", units, on: path)
        }
    }

    /// CXI flags: 0 = good, 1 (invalid pixel) = bad.
    private func writeMask(_ mask: RealArray, _ file: HDF5File) throws {
        try file.write(mask.storage.map { $0 > 0 ? UInt32(0) : 1 }, to: CXILayout.mask, shape: mask.shape,
                       as: .uint32)
    }

    private func writeTranslation(_ positions: ScanPositions, _ file: HDF5File) throws {
        try file.createGroup("/entry_1/sample_1", nxClass: "NXsample")
        try file.createGroup("/entry_1/sample_1/geometry_1", nxClass: "NXgeometry")
        let sign: Double = translationConvention == .sample ? -1 : 1
        let count = positions.count
        var values = [Double](repeating: 0, count: 3 * count)
        for frame in 0..<count {
            for (axis, coordinate) in [sign * positions.x[frame], sign * positions.y[frame], 0].enumerated() {
                values[translationLayout == .framesByAxes ? 3 * frame + axis : axis * count + frame] = coordinate
            }
        }
        let shape = translationLayout == .framesByAxes ? [count, 3] : [3, count]
        try file.write(values, to: CXILayout.translation, shape: shape, as: .float64)
        try file.setAttribute("units", "m", on: CXILayout.translation)
        try file.setAttribute("ptychite_convention", translationConvention.rawValue, on: CXILayout.translation)
    }
}
