import PtychoCore

/// Writes a `DiffractionDataset` in PtyLab's flat HDF5 layout (`PtyLabLayout`), atomically: the layout
/// `PtyLabReader` reads. Frames must be square; the mask is not stored (the layout has no place for it),
/// and the detector pixel size written is the x pitch.
public struct PtyLabWriter: Sendable {
    public init() {}

    public func write(_ dataset: DiffractionDataset, to path: String) throws {
        let (count, height, width) = (dataset.frameCount, dataset.frameHeight, dataset.frameWidth)
        precondition(height == width, "PtyLab frames are square")
        let geometry = dataset.geometry
        let encoder = (0..<count).flatMap { [dataset.positions.x[$0], dataset.positions.y[$0]] }
        try AtomicHDF5Write.write(to: path) { file in
            try file.createDataset(PtyLabLayout.ptychogram, type: .float32, shape: [count, height, width],
                                   chunk: [1, height, width]).writeRows(0..<count, from: dataset.intensities.pointer)
            try file.write(scalar: geometry.wavelength, to: PtyLabLayout.wavelength, as: .float64)
            try file.write(scalar: geometry.distance, to: PtyLabLayout.distance, as: .float64)
            try file.write(scalar: geometry.detectorPixelSizeX, to: PtyLabLayout.detectorPixelSize, as: .float64)
            try file.write(encoder, to: PtyLabLayout.encoder, shape: [count, 2], as: .float64)
        }
    }
}
