import PtychoCore

/// Reads the CXI 1.6 / NXcxi_ptycho layout (spec: data-format.md) into a validated `DiffractionDataset`.
///
/// The small datasets are read and checked first, so a bad file fails before the frames are touched.
/// The frames are then read in batches straight into the data set's intensity array, which is the only
/// full-size buffer; each batch is validated and corrected (mask, dark, monitor) while it is hot.
public struct CXIReader: DatasetReader {
    /// What the translation dataset holds; the CXI text (and this default) says the sample translation.
    public var translationConvention: TranslationConvention
    /// Frames per HDF5 read: bounds HDF5's conversion working set and keeps validation cache-friendly.
    public var framesPerBatch: Int

    public init(translationConvention: TranslationConvention = .sample, framesPerBatch: Int = 32) {
        precondition(framesPerBatch >= 1, "framesPerBatch must be ≥ 1")
        self.translationConvention = translationConvention
        self.framesPerBatch = framesPerBatch
    }

    public func read(path: String) throws -> LoadedDataset { try read(path: path, beforeReadingFrames: { _ in }) }

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
                                                                                    dataPath: data.path))
        try admit(DatasetHeader(geometry: geometry, positions: positions, frameCount: frameCount,
                                frameHeight: height, frameWidth: width))
        let intensities = RealArray(shape: [frameCount, height, width])
        for start in stride(from: 0, to: frameCount, by: framesPerBatch) {
            let frames = start..<min(frameCount, start + framesPerBatch)
            try file.inputRead(data.path) { try data.readRows(frames, into: intensities.slice(start)) }
            for frame in frames {
                try corrections.apply(to: intensities.slice(frame), frame: frame, file: path, dataset: data.path)
            }
        }
        let dataset = DiffractionDataset(geometry: geometry, positions: positions, intensities: intensities,
                                         mask: mask, source: path)
        return LoadedDataset(dataset: dataset, warnings: warnings)
    }
}

/// Validation and corrections of one raw frame, in place.
///
/// Invariant on return: every value is finite and ≥ 0, bad pixels hold 0. Raw values are checked only on
/// good pixels, because detectors legitimately store -1 or NaN in gaps and dead pixels that the mask
/// flags; a bad value on a good pixel is an error, not something to clip silently.
struct FrameCorrections {
    let mask: RealArray
    /// Subtracted, then clipped at 0.
    let dark: [Float]?
    /// Divisor per frame, `monitor / mean(monitor)`.
    let monitorScale: [Float]?

    func apply(to frame: UnsafeMutablePointer<Float>, frame index: Int, file: String, dataset: String) throws {
        let pixels = mask.count
        let width = mask.shape[1]
        let divisor = monitorScale?[index] ?? 1
        for pixel in 0..<pixels {
            guard mask[flat: pixel] > 0 else {
                frame[pixel] = 0
                continue
            }
            var value = frame[pixel]
            guard value.isFinite else {
                throw InputError.nonFiniteIntensity(file: file, dataset: dataset, frame: index,
                                                    row: pixel / width, column: pixel % width, value: value)
            }
            guard value >= 0 else {
                throw InputError.negativeIntensity(file: file, dataset: dataset, frame: index,
                                                   row: pixel / width, column: pixel % width, value: value)
            }
            if let dark { value = max(0, value - dark[pixel]) }
            frame[pixel] = value / divisor
        }
    }
}
