import Foundation

// rPIE / mPIE / RAAR: the CPU backend's side of the engine-specific global steps.
extension CPUBackend {
    public func restoreExitWaves(from saved: ComplexArray) {
        guard let waves = exitWaves else { preconditionFailure("restoreExitWaves before initialiseExitWaves") }
        precondition(saved.shape == waves.shape, "saved exit waves \(saved.shape) do not match \(waves.shape)")
        waves.pointer.update(from: saved.pointer, count: 2 * waves.count)
    }

    public func makeMomentumBuffers() -> MomentumBuffers {
        MomentumBuffers(objectVelocity: ComplexArray(shape: model.object.shape),
                        objectSnapshot: ComplexArray(copying: model.object),
                        probeVelocity: ComplexArray(shape: model.probe.shape),
                        probeSnapshot: ComplexArray(copying: model.probe))
    }

    public func applyMomentum(_ buffers: MomentumBuffers, friction: Float, feedback: Float, includeProbe: Bool) {
        Self.momentumStep(model.object.pointer, velocity: buffers.objectVelocity.pointer,
                          snapshot: buffers.objectSnapshot.pointer, floats: 2 * model.object.count,
                          friction: friction, feedback: feedback)
        guard includeProbe else { return }
        Self.momentumStep(model.probe.pointer, velocity: buffers.probeVelocity.pointer,
                          snapshot: buffers.probeSnapshot.pointer, floats: 2 * model.probe.count,
                          friction: friction, feedback: feedback)
        // The probe changed outside the PIE kernel, which otherwise keeps this maximum current.
        maxProbePower = currentMaxProbePower()
    }

    /// v ← η·v + (x − s);  x ← x + ν·v;  s ← x, element-wise over interleaved floats (real and imaginary
    /// parts alike, the update being linear).
    static func momentumStep(_ x: UnsafeMutablePointer<Float>, velocity v: UnsafeMutablePointer<Float>,
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
