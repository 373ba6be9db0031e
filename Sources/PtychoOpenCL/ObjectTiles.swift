import PtychoCore

/// The frames whose patch meets each 16×16 tile of the object, as a CSR list on the device: tile t's
/// frames are `frames[offsets[t] ..< offsets[t + 1]]`, ascending. Built on the host from the placement
/// (counting sort into arrays allocated once), again after each position refinement.
final class ObjectTiles {
    static let edge = 16
    let across: Int
    let count: Int
    let offsets: OpenCLBuffer
    let frames: OpenCLBuffer
    private let frameHeight: Int
    private let frameWidth: Int
    private var hostOffsets: [Int32]
    private var hostFrames: [Int32]
    private var cursor: [Int32]

    init(_ context: OpenCLContext, placement: ObjectPlacement, frameHeight: Int, frameWidth: Int) throws {
        let edge = Self.edge
        across = (placement.objectWidth + edge - 1) / edge
        count = across * ((placement.objectHeight + edge - 1) / edge)
        self.frameHeight = frameHeight
        self.frameWidth = frameWidth
        // A patch meets at most this many tiles wherever it sits.
        let capacity = placement.rows.count * ((frameHeight - 1) / edge + 2) * ((frameWidth - 1) / edge + 2)
        hostOffsets = [Int32](repeating: 0, count: count + 1)
        hostFrames = [Int32](repeating: 0, count: max(1, capacity))
        cursor = [Int32](repeating: 0, count: count)
        offsets = try OpenCLBuffer(context, bytes: 4 * hostOffsets.count)
        frames = try OpenCLBuffer(context, bytes: 4 * hostFrames.count)
        try update(placement)
    }

    /// Rebuilds the lists for the placement's current patches and uploads them.
    func update(_ placement: ObjectPlacement) throws {
        let edge = Self.edge, frameCount = placement.rows.count
        func forEachTile(of j: Int, _ body: (Int) -> Void) {
            let row = placement.rows[j], column = placement.columns[j]
            for ty in (row / edge)...((row + frameHeight - 1) / edge) {
                for tx in (column / edge)...((column + frameWidth - 1) / edge) { body(ty * across + tx) }
            }
        }
        for t in 0..<count { cursor[t] = 0 }
        for j in 0..<frameCount { forEachTile(of: j) { cursor[$0] += 1 } }
        hostOffsets[0] = 0
        for t in 0..<count { hostOffsets[t + 1] = hostOffsets[t] + cursor[t]; cursor[t] = hostOffsets[t] }
        // Frames in ascending order within each tile: the gathers' sums do not depend on scheduling.
        for j in 0..<frameCount {
            forEachTile(of: j) { t in
                hostFrames[Int(cursor[t])] = Int32(j)
                cursor[t] += 1
            }
        }
        try hostOffsets.withUnsafeBytes { try offsets.upload($0.baseAddress!, bytes: $0.count) }
        let used = Int(hostOffsets[count])
        if used > 0 { try hostFrames.withUnsafeBytes { try frames.upload($0.baseAddress!, bytes: 4 * used) } }
    }
}
