/// mPIE's carried arrays: the velocity v and the snapshot S (the model at the last momentum step) of the
/// object (`[H, W]`) and of the probe (`[K, ny, nx]`). Allocated once per stage by the backend.
public final class MomentumBuffers: @unchecked Sendable {
    public let objectVelocity: ComplexArray
    public let objectSnapshot: ComplexArray
    public let probeVelocity: ComplexArray
    public let probeSnapshot: ComplexArray

    /// Names in the engine state.
    public static let objectVelocityName = "momentum_object"
    public static let objectSnapshotName = "snapshot_object"
    public static let probeVelocityName = "momentum_probe"
    public static let probeSnapshotName = "snapshot_probe"

    public init(objectVelocity: ComplexArray, objectSnapshot: ComplexArray, probeVelocity: ComplexArray,
                probeSnapshot: ComplexArray) {
        self.objectVelocity = objectVelocity
        self.objectSnapshot = objectSnapshot
        self.probeVelocity = probeVelocity
        self.probeSnapshot = probeSnapshot
    }

    private var named: [(String, ComplexArray)] {
        [(Self.objectVelocityName, objectVelocity), (Self.objectSnapshotName, objectSnapshot),
         (Self.probeVelocityName, probeVelocity), (Self.probeSnapshotName, probeSnapshot)]
    }

    /// Adds the four arrays, by reference, to `state`.
    public func save(into state: inout EngineState) {
        for (name, array) in named { state.complexArrays[name] = array }
    }

    /// Copies the four saved arrays in (every one must be present with this shape).
    public func restore(from state: EngineState) throws {
        for (name, array) in named {
            let saved = try state.complexArray(name, shape: array.shape)
            array.pointer.update(from: saved.pointer, count: 2 * array.count)
        }
    }
}
