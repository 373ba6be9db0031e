import PtychoCore

extension HDF5File {
    /// Opens the frames dataset at `datasetPath` and checks it: numeric, `(N, ny, nx)` with N ≥ 1 and
    /// non-empty frames; `expected` names the axes in messages (e.g. `(N, Nd, Nd)`).
    func inputFrames(_ datasetPath: String, expected: String = "(N, ny, nx)") throws -> HDF5Dataset {
        let data = try inputDataset(datasetPath)
        guard data.elementKind.isNumeric else {
            throw InputError.unreadableDataset(file: path, dataset: datasetPath,
                                               reason: "holds \(data.elementKind), not numbers")
        }
        guard data.shape.count == 3 else {
            throw InputError.wrongShape(file: path, dataset: datasetPath, expected: expected, found: data.shape)
        }
        guard data.shape[0] > 0 else { throw InputError.noFrames(file: path, dataset: datasetPath) }
        guard data.shape[1] > 0, data.shape[2] > 0 else {
            throw InputError.wrongShape(file: path, dataset: datasetPath,
                                        expected: "\(expected) with every frame extent ≥ 1", found: data.shape)
        }
        return data
    }
}

/// The frames of an input as the engines take them, with the mask that goes with them.
struct FrameReadout {
    /// `[N, ny, nx]`, centred, every value finite and ≥ 0, 0 on every bad pixel.
    let intensities: RealArray
    /// `[ny, nx]`, centred: the file's mask without the pixels that held invalid values
    /// (`InvalidValuePolicy.mask`).
    let mask: RealArray
    /// Says which pixels were masked for invalid values; nil when none were.
    let warning: String?
}

/// Reads a checked frames dataset (`HDF5File.inputFrames`) in batches straight into one `RealArray`,
/// the only full-size buffer; each batch is validated and corrected while it is hot.
///
/// Corrections see each frame as the file stores it, so error rows and columns are the file's and the
/// mask must be in the file's order; `.fftShifted` frames (and the mask) are centred after their
/// corrections. A pixel found invalid under `InvalidValuePolicy.mask` is zeroed afterwards in the frames
/// read before it was found.
struct FrameBatchReader {
    let file: HDF5File
    let data: HDF5Dataset
    let order: FrameOrder
    /// Frames per HDF5 read: bounds HDF5's conversion working set and keeps validation cache-friendly.
    let framesPerBatch: Int

    func read(corrections: FrameCorrections) throws -> FrameReadout {
        let (frameCount, height, width) = (data.shape[0], data.shape[1], data.shape[2])
        let intensities = RealArray(shape: [frameCount, height, width])
        let scratch = order == .fftShifted ? RealArray(shape: [height, width]) : nil
        var invalid = InvalidPixels(framePixels: height * width)
        for start in stride(from: 0, to: frameCount, by: framesPerBatch) {
            let frames = start..<min(frameCount, start + framesPerBatch)
            try file.inputRead(data.path) { try data.readRows(frames, into: intensities.slice(start)) }
            for frame in frames {
                try corrections.apply(to: intensities.slice(frame), frame: frame, file: file.path, dataset: data.path,
                                      invalid: &invalid)
                if let scratch {
                    FFTShift.apply(real: intensities.slice(frame), height: height, width: width,
                                   scratch: scratch.pointer)
                }
            }
        }
        let mask = RealArray(shape: [height, width])
        _ = mask.storage.initialize(from: corrections.mask.storage)
        // The invalid pixels as a frame, centred like the frames, so their indices are the frames' own.
        let invalidFrame = RealArray(shape: [height, width])
        for pixel in invalid.pixels { invalidFrame[flat: pixel] = 1 }
        if let scratch {
            FFTShift.apply(real: mask.pointer, height: height, width: width, scratch: scratch.pointer)
            FFTShift.apply(real: invalidFrame.pointer, height: height, width: width, scratch: scratch.pointer)
        }
        let newlyMasked = (0..<invalidFrame.count).filter { invalidFrame[flat: $0] != 0 }
        for pixel in newlyMasked { mask[flat: pixel] = 0 }
        // Only these: the file's bad pixels already hold 0 in every frame.
        if !newlyMasked.isEmpty {
            for frame in 0..<frameCount {
                let values = intensities.slice(frame)
                for pixel in newlyMasked { values[pixel] = 0 }
            }
        }
        return FrameReadout(intensities: intensities, mask: mask,
                            warning: invalid.warning(file: file.path, dataset: data.path, frameWidth: width))
    }
}

extension FrameBatchReader {
    /// The data set of a layout that records no mask, dark frame or monitor: every frame validated under
    /// `invalidValues` (pixels masked for it are the only bad ones), centred.
    func readWithoutMask(geometry: ExperimentGeometry, positions: ScanPositions, invalidValues: InvalidValuePolicy,
                         source: String) throws -> LoadedDataset {
        let frames = try read(corrections: .validationOnly(frameHeight: data.shape[1], frameWidth: data.shape[2],
                                                           invalidValues: invalidValues))
        let dataset = DiffractionDataset(geometry: geometry, positions: positions, intensities: frames.intensities,
                                         mask: frames.mask, source: source)
        return LoadedDataset(dataset: dataset, warnings: frames.warning.map { [$0] } ?? [])
    }
}
