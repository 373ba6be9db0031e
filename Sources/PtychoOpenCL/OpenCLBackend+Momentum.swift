import PtychoCore

/// mPIE's velocity and snapshot of the object and the probe, on the device beside the model they step.
/// The host arrays of `MomentumBuffers` are their mirrors, current only at checkpoints (`MomentumDeviceCopy`).
final class OpenCLMomentum: MomentumDeviceCopy {
    unowned let backend: OpenCLBackend
    let objectVelocity: OpenCLBuffer
    let objectSnapshot: OpenCLBuffer
    let probeVelocity: OpenCLBuffer
    let probeSnapshot: OpenCLBuffer

    /// Device copies of `buffers`' four arrays, uploaded from them.
    init(_ backend: OpenCLBackend, copying buffers: MomentumBuffers) throws {
        self.backend = backend
        let context = backend.context
        func copy(_ array: ComplexArray) throws -> OpenCLBuffer {
            try OpenCLBuffer(context, copying: array.pointer, count: 2 * array.count)
        }
        objectVelocity = try copy(buffers.objectVelocity)
        objectSnapshot = try copy(buffers.objectSnapshot)
        probeVelocity = try copy(buffers.probeVelocity)
        probeSnapshot = try copy(buffers.probeSnapshot)
    }

    private func pairs(_ buffers: MomentumBuffers) -> [(OpenCLBuffer, ComplexArray)] {
        [(objectVelocity, buffers.objectVelocity), (objectSnapshot, buffers.objectSnapshot),
         (probeVelocity, buffers.probeVelocity), (probeSnapshot, buffers.probeSnapshot)]
    }

    func download(into buffers: MomentumBuffers) {
        backend.attempt { for (device, host) in pairs(buffers) { try device.download(host.pointer, count: 2 * host.count) } }
    }

    func upload(from buffers: MomentumBuffers) {
        backend.attempt { for (device, host) in pairs(buffers) { try device.upload(host.pointer, count: 2 * host.count) } }
    }
}

// mPIE: the momentum step (every T positions, four times per iteration by default) runs on the device, where
// the object and the probe are; the host arrays of the buffers are engine state only a checkpoint reads.
extension OpenCLBackend {
    public func makeMomentumBuffers() -> MomentumBuffers {
        synchroniseModel(includingObject: true)
        let buffers = MomentumBuffers(objectVelocity: ComplexArray(shape: model.object.shape),
                                      objectSnapshot: ComplexArray(copying: model.object),
                                      probeVelocity: ComplexArray(shape: model.probe.shape),
                                      probeSnapshot: ComplexArray(copying: model.probe))
        attempt { buffers.deviceCopy = try OpenCLMomentum(self, copying: buffers) }
        return buffers
    }

    public func applyMomentum(_ buffers: MomentumBuffers, friction: Float, feedback: Float, includeProbe: Bool) {
        guard let copy = buffers.deviceCopy as? OpenCLMomentum else {
            preconditionFailure("momentum buffers not made by this backend")
        }
        attempt {
            let steps = [(objectBuffer, copy.objectVelocity, copy.objectSnapshot, model.object.count),
                         (probeBuffer, copy.probeVelocity, copy.probeSnapshot, model.probe.count)]
            for (values, velocity, snapshot, count) in steps.prefix(includeProbe ? 2 : 1) {
                try kernels.momentumStep.launch(on: context, global: 2 * count, local: 256, [
                    .buffer(values), .buffer(velocity), .buffer(snapshot), .float(friction), .float(feedback),
                    .int(Int32(2 * count))])
            }
            if includeProbe { try updatePowerMaxima(frame: nil) }   // the next PIE update's max Σ|P|²
        }
    }
}
