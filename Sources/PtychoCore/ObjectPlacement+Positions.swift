/// Conversions between probe positions (m) and fractional patch corners (object pixels), and moving the
/// patches to new positions — what position refinement needs. Same convention as `init(positions:…)`:
/// the patch centre of position p sits at pixel `origin + p / pixelSize`, its top-left N/2 before.
extension ObjectPlacement {
    /// Fractional top-left (row, column) of the patch of a probe at `(y, x)` m.
    public func topLeft(y: Double, x: Double, frameHeight: Int, frameWidth: Int) -> (row: Double, column: Double) {
        (y / pixelSize.y + originRow - Double(frameHeight / 2), x / pixelSize.x + originColumn - Double(frameWidth / 2))
    }

    /// Probe position (m) whose patch has the fractional top-left `(row, column)`.
    public func position(row: Double, column: Double, frameHeight: Int, frameWidth: Int) -> (y: Double, x: Double) {
        ((row - originRow + Double(frameHeight / 2)) * pixelSize.y,
         (column - originColumn + Double(frameWidth / 2)) * pixelSize.x)
    }

    /// The positions of the integer patches themselves (each patch's centre), m.
    public func patchCentres(frameHeight: Int, frameWidth: Int) -> ScanPositions {
        let centres = rows.indices.map {
            position(row: Double(rows[$0]), column: Double(columns[$0]), frameHeight: frameHeight, frameWidth: frameWidth)
        }
        return ScanPositions(y: centres.map(\.y), x: centres.map(\.x))
    }

    /// Sets frame `j`'s patch to the rounded fractional top-left, clamped so the patch stays inside the
    /// object (the placement's invariant).
    mutating func place(_ j: Int, row: Double, column: Double, frameHeight: Int, frameWidth: Int) {
        rows[j] = min(max(Int(row.rounded()), 0), objectHeight - frameHeight)
        columns[j] = min(max(Int(column.rounded()), 0), objectWidth - frameWidth)
    }
}
