/// A device backend's own copies of mPIE's four arrays, which it steps where the model lives: the host
/// arrays of `MomentumBuffers` are then mirrors, brought up to date before a checkpoint saves them and
/// copied back after one is restored.
public protocol MomentumDeviceCopy: AnyObject {
    /// Copies the device's four arrays into the host arrays of `buffers`.
    func download(into buffers: MomentumBuffers)
    /// Copies the host arrays of `buffers` to the device.
    func upload(from buffers: MomentumBuffers)
}

/// mPIE's carried arrays: the velocity v and the snapshot S (the model at the last momentum step) of the
/// object (`[H, W]`) and of the probe (`[K, ny, nx]`). Allocated once per stage by the backend.
public final class MomentumBuffers: @unchecked Sendable {
    public let objectVelocity: ComplexArray
    public let objectSnapshot: ComplexArray
    public let probeVelocity: ComplexArray
    public let probeSnapshot: ComplexArray
    /// Set by a backend that steps its own copies (see `MomentumDeviceCopy`); nil: these arrays are the state.
    public var deviceCopy: MomentumDeviceCopy?

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

    /// Adds the four arrays, by reference, to `state` (first brought up from the device copy, if any).
    public func save(into state: inout EngineState) {
        deviceCopy?.download(into: self)
        for (name, array) in named { state.complexArrays[name] = array }
    }

    /// Copies the four saved arrays in (every one must be present with this shape), and to the device copy.
    public func restore(from state: EngineState) throws {
        for (name, array) in named {
            let saved = try state.complexArray(name, shape: array.shape)
            array.pointer.update(from: saved.pointer, count: 2 * array.count)
        }
        deviceCopy?.upload(from: self)
    }
}

extension MomentumBuffers {
    /// mPIE's momentum step (see `MomentumPIE`) on the object, and on the probe when `includeProbe`:
    /// v ← η·v + (X − S);  X ← X + ν·v;  S ← X, where X is the model's array (host memory; a device
    /// backend runs the same step on its own copies, see `MomentumDeviceCopy`).
    public func step(object: ComplexArray, probe: ComplexArray, friction: Float, feedback: Float, includeProbe: Bool) {
        Self.step(object.pointer, velocity: objectVelocity.pointer, snapshot: objectSnapshot.pointer,
                  floats: 2 * object.count, friction: friction, feedback: feedback)
        guard includeProbe else { return }
        Self.step(probe.pointer, velocity: probeVelocity.pointer, snapshot: probeSnapshot.pointer,
                  floats: 2 * probe.count, friction: friction, feedback: feedback)
    }

    /// Element-wise over interleaved floats (real and imaginary parts alike, the update being linear).
    static func step(_ x: UnsafeMutablePointer<Float>, velocity v: UnsafeMutablePointer<Float>,
                     snapshot s: UnsafeMutablePointer<Float>, floats: Int, friction: Float, feedback: Float) {
        for i in 0..<floats {
            let velocity = friction * v[i] + (x[i] - s[i])
            let value = x[i] + feedback * velocity
            v[i] = velocity
            x[i] = value
            s[i] = value
        }
    }
}
