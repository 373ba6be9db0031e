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

/// Reads a checked frames dataset (`HDF5File.inputFrames`) in batches straight into one `RealArray`,
/// the only full-size buffer; each batch is validated and corrected while it is hot.
///
/// Corrections see each frame as the file stores it, so error rows and columns are the file's and the
/// mask must be in the file's order; `.fftShifted` frames are centred after their corrections.
/// Invariant of the result: `[N, ny, nx]`, centred, every value finite and ≥ 0.
struct FrameBatchReader {
    let file: HDF5File
    let data: HDF5Dataset
    let order: FrameOrder
    /// Frames per HDF5 read: bounds HDF5's conversion working set and keeps validation cache-friendly.
    let framesPerBatch: Int

    func read(corrections: FrameCorrections) throws -> RealArray {
        let (frameCount, height, width) = (data.shape[0], data.shape[1], data.shape[2])
        let intensities = RealArray(shape: [frameCount, height, width])
        let scratch = order == .fftShifted ? RealArray(shape: [height, width]) : nil
        for start in stride(from: 0, to: frameCount, by: framesPerBatch) {
            let frames = start..<min(frameCount, start + framesPerBatch)
            try file.inputRead(data.path) { try data.readRows(frames, into: intensities.slice(start)) }
            for frame in frames {
                try corrections.apply(to: intensities.slice(frame), frame: frame, file: file.path, dataset: data.path)
                if let scratch {
                    FFTShift.apply(real: intensities.slice(frame), height: height, width: width,
                                   scratch: scratch.pointer)
                }
            }
        }
        return intensities
    }
}
