import PtychoCore

/// Reads the CXI 1.6 / NXcxi_ptycho layout (spec: data-format.md) into a validated `DiffractionDataset`.
///
/// The small datasets are read and checked first, so a bad file fails before the frames are touched.
/// The frames are then read in batches straight into the data set's intensity array, which is the only
/// full-size buffer; each batch is validated and corrected (mask, dark, monitor) while it is hot.
public struct CXIReader: DatasetReader {
    /// What the translation dataset holds; the CXI text (and this default) says the sample translation.
    public var translationConvention: TranslationConvention
    /// Negative or non-finite values on pixels the file's mask calls good: refused, or masked.
    public var invalidValues: InvalidValuePolicy
    /// Frames per HDF5 read: bounds HDF5's conversion working set and keeps validation cache-friendly.
    public var framesPerBatch: Int

    public init(translationConvention: TranslationConvention = .sample, invalidValues: InvalidValuePolicy = .refuse,
                framesPerBatch: Int = 32) {
        precondition(framesPerBatch >= 1, "framesPerBatch must be ≥ 1")
        self.translationConvention = translationConvention
        self.invalidValues = invalidValues
        self.framesPerBatch = framesPerBatch
    }

    /// Reads the file, calling `admit` with the validated header before the frame buffer is allocated, so
    /// a caller can refuse (e.g. over its memory budget) without the frames ever being read.
    public func read(path: String, beforeReadingFrames admit: (DatasetHeader) throws -> Void) throws -> LoadedDataset {
        let file = try InputFile.openHDF5(path)
        defer { try? file.close() }
        let metadata = CXIMetadata(file: file)
        var warnings: [String] = []

        let data = try metadata.frames()
        let (frameCount, height, width) = (data.shape[0], data.shape[1], data.shape[2])
        let geometry = try metadata.geometry(frameHeight: height, frameWidth: width, warnings: &warnings)
        let positions = try metadata.positions(frameCount: frameCount, dataPath: data.path,
                                               convention: translationConvention).positions
        let mask = try metadata.mask(frameHeight: height, frameWidth: width)
        let corrections = FrameCorrections(mask: mask, dark: try metadata.dark(frameHeight: height, frameWidth: width),
                                           monitorScale: try metadata.monitorScale(frameCount: frameCount,
                                                                                    dataPath: data.path),
                                           invalidValues: invalidValues)
        try admit(DatasetHeader(geometry: geometry, positions: positions, frameCount: frameCount,
                                frameHeight: height, frameWidth: width))
        let frames = try FrameBatchReader(file: file, data: data, order: .centred,
                                          framesPerBatch: framesPerBatch).read(corrections: corrections)
        if let warning = frames.warning { warnings.append(warning) }
        let dataset = DiffractionDataset(geometry: geometry, positions: positions, intensities: frames.intensities,
                                         mask: frames.mask, source: path)
        return LoadedDataset(dataset: dataset, warnings: warnings)
    }
}
