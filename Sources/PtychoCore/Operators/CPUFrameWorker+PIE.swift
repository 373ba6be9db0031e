extension CPUFrameWorker {
    public func regularisedPIEUpdate(_ batch: FrameBatch, alpha: Float, beta: Float, objectRegularisation: Float,
                                     probeRegularisation: Float, updateProbe: Bool) {
        for j in batch.indices {
            backend.maxProbePower = FrameKernels.pieUpdate(
                projected: scratch.pointer, probe: model.probe.pointer, patch: model.patch(j), alpha: alpha,
                beta: updateProbe ? beta : 0, objectRegularisation: objectRegularisation,
                probeRegularisation: probeRegularisation, maxProbePower: backend.maxProbePower, shape: shape,
                scratch: kernelScratch)
        }
    }
}
