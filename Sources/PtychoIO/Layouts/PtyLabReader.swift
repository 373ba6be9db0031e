import PtychoCore

/// Reads PtyLab's flat HDF5 layout (`PtyLabLayout`) into a validated `DiffractionDataset`.
///
/// Frames are square and centred (the spec lists only PtychoShelves and tike as fft-shifted); the
/// geometry comes from `wavelength`, `zo` and `dxd` (square pixels); `encoder` rows `[x, y]` are taken as
/// probe positions in metres. The spec names no mask dataset for this layout: every pixel is good.
public struct PtyLabReader: DatasetReader {
    /// Negative or non-finite values: refused, or their pixels masked.
    public var invalidValues: InvalidValuePolicy
    /// Frames per HDF5 read (see `FrameBatchReader`).
    public var framesPerBatch: Int

    public init(invalidValues: InvalidValuePolicy = .refuse, framesPerBatch: Int = 32) {
        precondition(framesPerBatch >= 1, "framesPerBatch must be ≥ 1")
        self.invalidValues = invalidValues
        self.framesPerBatch = framesPerBatch
    }

    public func read(path: String, beforeReadingFrames admit: (DatasetHeader) throws -> Void) throws -> LoadedDataset {
        let file = try InputFile.openHDF5(path)
        defer { try? file.close() }
        let data = try file.inputFrames(PtyLabLayout.ptychogram, expected: "(N, Nd, Nd)")
        let (frameCount, height, width) = (data.shape[0], data.shape[1], data.shape[2])
        guard height == width else {
            throw InputError.wrongShape(file: path, dataset: data.path, expected: "(N, Nd, Nd) (square frames)",
                                        found: data.shape)
        }
        let wavelength = try file.inputPositiveScalar(PtyLabLayout.wavelength)
        let distance = try file.inputPositiveScalar(PtyLabLayout.distance)
        let pixel = try file.inputPositiveScalar(PtyLabLayout.detectorPixelSize)
        let geometry = ExperimentGeometry(energy: PhysicalConstants.energy(forWavelength: wavelength),
                                          distance: distance, detectorPixelSizeY: pixel, detectorPixelSizeX: pixel,
                                          frameHeight: height, frameWidth: width)
        let encoder = try file.inputPairs(PtyLabLayout.encoder, columns: "[x, y]", frameCount: frameCount,
                                          dataPath: data.path)
        let positions = ScanPositions(y: (0..<frameCount).map { encoder[2 * $0 + 1] },
                                      x: (0..<frameCount).map { encoder[2 * $0] })
        try admit(DatasetHeader(geometry: geometry, positions: positions, frameCount: frameCount,
                                frameHeight: height, frameWidth: width))
        return try FrameBatchReader(file: file, data: data, order: .centred, framesPerBatch: framesPerBatch)
            .readWithoutMask(geometry: geometry, positions: positions, invalidValues: invalidValues, source: path)
    }
}
