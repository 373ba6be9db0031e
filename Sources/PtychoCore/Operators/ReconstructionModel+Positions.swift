// Position refinement (issue 3, item 5): the model's side — moving the positions and the patches.
extension ReconstructionModel {
    /// Fractional top-left (row, column) of frame `j`'s patch at its current position.
    public func patchCorner(_ j: Int) -> (row: Double, column: Double) {
        placement.topLeft(y: positions.y[j], x: positions.x[j], frameHeight: frameShape.height,
                          frameWidth: frameShape.width)
    }

    /// Puts back saved positions (a checkpoint's `positions/refined`): the patches follow them exactly as
    /// during refinement, so a resumed run places every frame where the interrupted one had it.
    public func setPositions(_ newPositions: ScanPositions) {
        precondition(newPositions.count == positions.count, "position count differs")
        positions = newPositions
        for j in 0..<positions.count { placeFrame(j) }
    }

    /// Moves every frame by its estimated shift and re-places the patches.
    ///
    /// `estimates[2j]`, `estimates[2j + 1]` are frame j's least-squares shift (rows, columns) measured from
    /// its *integer* patch (`FrameKernels.positionShift`), NaN where the frame gave no estimate. The
    /// estimate of the true corner is then patch + shift, so each position moves towards that, by at most
    /// `stepLimit` pixels per axis — measuring from the patch rather than adding shifts to the continuous
    /// position is what lets sub-pixel positions converge instead of oscillating around a rounding edge.
    ///
    /// The mean step over the frames is removed: moving every position together is degenerate with
    /// shifting the object (the data cannot see it), and letting it happen would only drift the
    /// reconstruction across the array. Positions are clamped so every patch stays inside the object; a
    /// clamped position is where its patch is, so positions alone define the placement.
    public func refinePositions(estimates: UnsafePointer<Float>, stepLimit: Double) {
        let count = positions.count
        // Frame j's step depends only on its own patch and estimate, which stay as they are until j itself
        // moves: the steps are computed twice (for their mean, then to move) rather than stored.
        func step(_ j: Int) -> (row: Double, column: Double)? {
            let shiftRow = Double(estimates[2 * j]), shiftColumn = Double(estimates[2 * j + 1])
            guard shiftRow.isFinite && shiftColumn.isFinite else { return nil }
            let corner = patchCorner(j)
            return (min(max(Double(placement.rows[j]) + shiftRow - corner.row, -stepLimit), stepLimit),
                    min(max(Double(placement.columns[j]) + shiftColumn - corner.column, -stepLimit), stepLimit))
        }
        var meanRow = 0.0, meanColumn = 0.0, estimated = 0
        for j in 0..<count {
            guard let s = step(j) else { continue }
            meanRow += s.row; meanColumn += s.column; estimated += 1
        }
        guard estimated > 0 else { return }
        meanRow /= Double(estimated); meanColumn /= Double(estimated)
        let height = frameShape.height, width = frameShape.width
        for j in 0..<count {
            guard let s = step(j) else { continue }
            let corner = patchCorner(j)
            let row = min(max(corner.row + s.row - meanRow, 0), Double(placement.objectHeight - height))
            let column = min(max(corner.column + s.column - meanColumn, 0), Double(placement.objectWidth - width))
            let moved = placement.position(row: row, column: column, frameHeight: height, frameWidth: width)
            positions.y[j] = moved.y
            positions.x[j] = moved.x
            placeFrame(j)
        }
    }

    private func placeFrame(_ j: Int) {
        let corner = patchCorner(j)
        placement.place(j, row: corner.row, column: corner.column, frameHeight: frameShape.height,
                        frameWidth: frameShape.width)
    }
}
