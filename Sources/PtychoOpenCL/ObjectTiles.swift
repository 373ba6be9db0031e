import PtychoCore

/// The frames whose patch meets each 16×16 tile of the object, as a CSR list on the device: tile t's
/// frames are `frames[offsets[t] ..< offsets[t + 1]]`, ascending. Built on the host from the placement.
struct ObjectTiles {
    static let edge = 16
    let across: Int
    let count: Int
    let offsets: OpenCLBuffer
    let frames: OpenCLBuffer

    init(_ context: OpenCLContext, placement: ObjectPlacement, frameHeight: Int, frameWidth: Int) throws {
        let edge = Self.edge
        across = (placement.objectWidth + edge - 1) / edge
        let down = (placement.objectHeight + edge - 1) / edge
        count = across * down
        var lists = [[Int32]](repeating: [], count: count)
        for j in placement.rows.indices {
            let row = placement.rows[j], column = placement.columns[j]
            for ty in (row / edge)...((row + frameHeight - 1) / edge) {
                for tx in (column / edge)...((column + frameWidth - 1) / edge) { lists[ty * across + tx].append(Int32(j)) }
            }
        }
        var offsets = [Int32](repeating: 0, count: count + 1)
        for t in 0..<count { offsets[t + 1] = offsets[t] + Int32(lists[t].count) }
        let flat = lists.flatMap { $0 }
        self.offsets = try OpenCLBuffer(context, bytes: 4 * offsets.count)
        self.frames = try OpenCLBuffer(context, bytes: 4 * max(1, flat.count))
        try offsets.withUnsafeBytes { try self.offsets.upload($0.baseAddress!, bytes: $0.count) }
        if !flat.isEmpty { try flat.withUnsafeBytes { try self.frames.upload($0.baseAddress!, bytes: $0.count) } }
    }
}
