/// The unknowns of a reconstruction: the object, the probe modes and where each frame sits.
///
/// Invariants: `object.shape == [placement.objectHeight, placement.objectWidth]`,
/// `probe.shape == [modes, ny, nx]`, every patch of `placement` lies inside the object.
public final class ReconstructionModel: @unchecked Sendable {
    public let object: ComplexArray
    public let probe: ComplexArray
    /// Integer patch of each frame: the rounded `positions`, kept inside the object. Changes only between
    /// sweeps (position refinement), never while a sweep reads it.
    public internal(set) var placement: ObjectPlacement
    /// Probe positions, m — the measured ones until position refinement moves them. `placement` always
    /// follows them (see `ReconstructionModel+Positions`), so they alone define where the frames sit.
    public internal(set) var positions: ScanPositions

    /// `positions` are the probe positions the placement was made from; when `nil` they are taken from the
    /// placement's patch centres (rounded to pixels).
    public init(object: ComplexArray, probe: ComplexArray, placement: ObjectPlacement, positions: ScanPositions? = nil) {
        precondition(object.shape == [placement.objectHeight, placement.objectWidth], "object/placement mismatch")
        precondition(probe.shape.count == 3, "probe must be [modes, ny, nx]")
        precondition(positions == nil || positions!.count == placement.rows.count, "positions/placement mismatch")
        self.object = object
        self.probe = probe
        self.placement = placement
        self.positions = positions ?? placement.patchCentres(frameHeight: probe.shape[1], frameWidth: probe.shape[2])
    }

    public var modes: Int { probe.shape[0] }
    public var frameShape: FrameShape { FrameShape(height: probe.shape[1], width: probe.shape[2], modes: modes) }

    /// The object patch of frame `j`.
    @inlinable public func patch(_ j: Int) -> ObjectPatch {
        ObjectPatch(object: object.pointer, objectWidth: placement.objectWidth,
                    row: placement.rows[j], column: placement.columns[j])
    }

    /// Σ_j Σ_k |P_k|² placed at every patch: where the object is illuminated, `[H, W]`.
    public func illumination() -> RealArray {
        let map = RealArray(shape: [placement.objectHeight, placement.objectWidth])
        let shape = frameShape
        let power = RealArray(shape: [shape.height, shape.width])
        for k in 0..<shape.modes {
            let p = probe.slice(k)
            for i in 0..<shape.pixels { power.storage[i] += p[2 * i] * p[2 * i] + p[2 * i + 1] * p[2 * i + 1] }
        }
        for j in 0..<placement.rows.count {
            for r in 0..<shape.height {
                let row = map.pointer + (placement.rows[j] + r) * placement.objectWidth + placement.columns[j]
                let source = power.pointer + r * shape.width
                for i in 0..<shape.width { row[i] += source[i] }
            }
        }
        return map
    }

    /// Fraction of the total probe power in each mode.
    public func modePowerFractions() -> [Float] {
        let shape = frameShape
        let powers = (0..<shape.modes).map { k -> Double in
            let p = probe.slice(k)
            var s = 0.0
            for i in 0..<(2 * shape.pixels) { s += Double(p[i] * p[i]) }
            return s
        }
        let total = max(powers.reduce(0, +), .leastNormalMagnitude)
        return powers.map { Float($0 / total) }
    }

    /// Reorders the probe modes by decreasing power (the output convention).
    public func sortModesByPower() {
        let fractions = modePowerFractions()
        let order = fractions.indices.sorted { fractions[$0] > fractions[$1] }
        guard order != Array(order.indices) else { return }
        let copy = ComplexArray(copying: probe)
        for (destination, source) in order.enumerated() {
            probe.slice(destination).update(from: copy.slice(source), count: 2 * frameShape.pixels)
        }
    }
}
