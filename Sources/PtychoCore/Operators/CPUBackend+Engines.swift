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
        buffers.step(object: model.object, probe: model.probe, friction: friction, feedback: feedback,
                     includeProbe: includeProbe)
        // The probe changed outside the PIE kernel, which otherwise keeps this maximum current.
        if includeProbe { maxProbePower = currentMaxProbePower() }
    }
}
