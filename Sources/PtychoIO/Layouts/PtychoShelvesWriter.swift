import PtychoCore

/// Writes a `DiffractionDataset` as PtychoShelves prepared data (`PtychoShelvesLayout`), atomically: the
/// layout `PtychoShelvesReader` reads, for fixtures and for users moving data to PtychoShelves.
///
/// Frames are fft-shifted (zero frequency to `[0, 0]`) float32. Positions become uint32 `[y, x]` top-left
/// offsets in object pixels, `round(p / dx − N/2)`, translated so that the smallest offset on each axis
/// is 0. The geometry, the mask and the sub-pixel part of each position are not stored (the layout has
/// no place for them).
public struct PtychoShelvesWriter: Sendable {
    public init() {}

    public func write(_ dataset: DiffractionDataset, to path: String) throws {
        let (count, height, width) = (dataset.frameCount, dataset.frameHeight, dataset.frameWidth)
        let shifted = RealArray(shape: [count, height, width])
        shifted.pointer.update(from: dataset.intensities.pointer, count: shifted.count)
        let scratch = RealArray(shape: [height, width])
        for frame in 0..<count {
            FFTShift.apply(real: shifted.slice(frame), height: height, width: width, scratch: scratch.pointer,
                           inverse: true)
        }
        let offsets = Self.offsets(of: dataset.positions, geometry: dataset.geometry)
        try AtomicHDF5Write.write(to: path) { file in
            try file.createDataset(PtychoShelvesLayout.data, type: .float32, shape: [count, height, width],
                                   chunk: [1, height, width]).writeRows(0..<count, from: shifted.pointer)
            try file.write(offsets, to: PtychoShelvesLayout.positions, shape: [count, 2], as: .uint32)
        }
    }

    /// Row-major `[y, x]` offsets in object pixels, each axis starting at 0.
    public static func offsets(of positions: ScanPositions, geometry: ExperimentGeometry) -> [UInt32] {
        let pixel = geometry.objectPixelSize
        let rows = positions.y.map { ($0 / pixel.y).rounded() - Double(geometry.frameHeight / 2) }
        let columns = positions.x.map { ($0 / pixel.x).rounded() - Double(geometry.frameWidth / 2) }
        let (top, left) = (rows.min() ?? 0, columns.min() ?? 0)
        return zip(rows, columns).flatMap { [UInt32($0 - top), UInt32($1 - left)] }
    }
}
