import PtychoCore

/// Reads PtychoShelves prepared data (`PtychoShelvesLayout`) into a validated `DiffractionDataset`.
///
/// The file records no physical units, so energy, distance and detector pixel size come from `geometry`
/// (each required; a missing one is an error naming the option to pass). Frames are stored fft-shifted
/// and are centred on read. Positions are `[y, x]` top-left patch offsets in object pixels; the probe
/// position is the patch centre, `(offset + N/2) · dx` per axis (N/2 rounded down, the
/// `ObjectPlacement` convention), with `dx` the object pixel size of the geometry. The file has no
/// mask: every pixel is good.
public struct PtychoShelvesReader: DatasetReader {
    public var geometry: GeometryOptions
    /// Negative or non-finite values: refused, or their pixels masked.
    public var invalidValues: InvalidValuePolicy
    /// Frames per HDF5 read (see `FrameBatchReader`).
    public var framesPerBatch: Int

    public init(geometry: GeometryOptions, invalidValues: InvalidValuePolicy = .refuse, framesPerBatch: Int = 32) {
        precondition(framesPerBatch >= 1, "framesPerBatch must be ≥ 1")
        self.geometry = geometry
        self.invalidValues = invalidValues
        self.framesPerBatch = framesPerBatch
    }

    public func read(path: String, beforeReadingFrames admit: (DatasetHeader) throws -> Void) throws -> LoadedDataset {
        let file = try InputFile.openHDF5(path)
        defer { try? file.close() }
        let data = try file.inputFrames(PtychoShelvesLayout.data, expected: "(N, Ny, Nx)")
        let (frameCount, height, width) = (data.shape[0], data.shape[1], data.shape[2])
        let experiment = try experimentGeometry(file: path, frameHeight: height, frameWidth: width)
        let offsets = try file.inputPairs(PtychoShelvesLayout.positions, columns: "[y, x]", frameCount: frameCount,
                                          dataPath: data.path)
        let positions = Self.probePositions(offsets: offsets, frameHeight: height, frameWidth: width,
                                            pixelSize: experiment.objectPixelSize)
        try admit(DatasetHeader(geometry: experiment, positions: positions, frameCount: frameCount,
                                frameHeight: height, frameWidth: width))
        return try FrameBatchReader(file: file, data: data, order: .fftShifted, framesPerBatch: framesPerBatch)
            .readWithoutMask(geometry: experiment, positions: positions, invalidValues: invalidValues, source: path)
    }

    /// The geometry from the options, each present, finite and > 0.
    func experimentGeometry(file: String, frameHeight: Int, frameWidth: Int) throws -> ExperimentGeometry {
        func required(_ option: GeometryOption) throws -> Double {
            guard let value = geometry.value(of: option) else {
                throw InputError.missingOption(file: file, dataset: PtychoShelvesLayout.group,
                                               layout: .ptychoShelves, option: option)
            }
            guard value.isFinite, value > 0 else {
                throw InputError.invalidOption(file: file, option: option, requirement: "must be finite and > 0",
                                               found: value)
            }
            return value
        }
        let energy = try required(.energy), distance = try required(.distance)
        let pixel = try required(.detectorPixelSize)
        return ExperimentGeometry(energy: energy, distance: distance, detectorPixelSizeY: pixel,
                                  detectorPixelSizeX: pixel, frameHeight: frameHeight, frameWidth: frameWidth)
    }

    /// Patch centres in metres from row-major `[y, x]` top-left offsets in object pixels.
    public static func probePositions(offsets: [Double], frameHeight: Int, frameWidth: Int,
                                      pixelSize: (y: Double, x: Double)) -> ScanPositions {
        let count = offsets.count / 2
        let y = (0..<count).map { (offsets[2 * $0] + Double(frameHeight / 2)) * pixelSize.y }
        let x = (0..<count).map { (offsets[2 * $0 + 1] + Double(frameWidth / 2)) * pixelSize.x }
        return ScanPositions(y: y, x: x)
    }
}
