/// Probe positions relative to the object, in metres, one `(y, x)` pair per frame.
///
/// Convention: y grows with the object's row index, x with its column index (row 0 at the top as seen
/// looking downstream). CXI files store the *sample* translation; readers negate it unless told the file
/// holds probe positions.
public struct ScanPositions: Sendable, Equatable {
    public var y: [Double]
    public var x: [Double]

    public init(y: [Double], x: [Double]) {
        precondition(y.count == x.count, "y and x position counts differ")
        self.y = y
        self.x = x
    }

    public var count: Int { y.count }

    /// Median distance to the nearest neighbour, m: the scan step that sizes the default probe guess.
    public func typicalStep() -> Double {
        guard count > 1 else { return 0 }
        // O(N²) is fine up to ~10⁴ positions; larger scans are sampled.
        let stride = max(1, count / 2000)
        var nearest: [Double] = []
        var i = 0
        while i < count {
            var best = Double.infinity
            for j in 0..<count where j != i {
                let d = (y[i] - y[j]) * (y[i] - y[j]) + (x[i] - x[j]) * (x[i] - x[j])
                if d < best && d > 0 { best = d }
            }
            if best.isFinite { nearest.append(best.squareRoot()) }
            i += stride
        }
        guard !nearest.isEmpty else { return 0 }
        nearest.sort()
        return nearest[nearest.count / 2]
    }
}

/// Where each frame sits in the object array: the integer top-left pixel of the frame-sized patch.
///
/// Invariant: every patch lies entirely inside an object of `objectHeight × objectWidth`.
public struct ObjectPlacement: Sendable, Equatable {
    public let objectHeight: Int
    public let objectWidth: Int
    /// Top-left row and column of each frame's patch. Position refinement moves them (`moved(to:)`).
    public internal(set) var rows: [Int]
    public internal(set) var columns: [Int]
    /// Object pixel (fractional) that corresponds to position (0, 0) m: `pixel = origin + position / pixelSize`.
    public let originRow: Double
    public let originColumn: Double
    public let pixelSize: (y: Double, x: Double)

    /// Sizes the object to cover every patch plus `margin` pixels on each side.
    public init(positions: ScanPositions, pixelSize: (y: Double, x: Double),
                frameHeight: Int, frameWidth: Int, margin: Int = 8) {
        precondition(positions.count > 0, "no positions")
        let py = positions.y.map { $0 / pixelSize.y }
        let px = positions.x.map { $0 / pixelSize.x }
        let minY = py.min()!, maxY = py.max()!, minX = px.min()!, maxX = px.max()!
        // Patch centre at pixel `origin + p`; top-left = centre − N/2.
        originRow = Double(margin + frameHeight / 2) - minY
        originColumn = Double(margin + frameWidth / 2) - minX
        objectHeight = Int((maxY - minY).rounded(.up)) + frameHeight + 2 * margin + 1
        objectWidth = Int((maxX - minX).rounded(.up)) + frameWidth + 2 * margin + 1
        let originRow = originRow, originColumn = originColumn
        rows = py.map { Int(($0 + originRow).rounded()) - frameHeight / 2 }
        columns = px.map { Int(($0 + originColumn).rounded()) - frameWidth / 2 }
        self.pixelSize = pixelSize
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.objectHeight == b.objectHeight && a.objectWidth == b.objectWidth && a.rows == b.rows
            && a.columns == b.columns
    }
}
