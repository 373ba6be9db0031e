// Position refinement (issue 3, item 5) on the CPU backend.
extension CPUFrameWorker {
    /// See `FrameOperators.estimatePositionShift`. Each frame's estimate goes to its own slot of the
    /// backend's `positionShifts`, so workers never write the same memory.
    public func estimatePositionShift(_ batch: FrameBatch, fromStoredExitWaves: Bool) {
        let shifts = backend.positionShifts.pointer
        for j in batch.indices {
            let wave = fromStoredExitWaves ? UnsafePointer(backend.exitWaves!.slice(j)) : UnsafePointer(scratch.pointer)
            let shift = FrameKernels.positionShift(projected: wave, probe: model.probe.pointer,
                                                   patch: model.patch(j), shape: shape, scratch: kernelScratch)
            shifts[2 * j] = shift.row
            shifts[2 * j + 1] = shift.column
        }
    }
}

extension CPUBackend {
    /// See `ReconstructionBackend.refinePositions`; frames the sweep did not estimate (NaN) stay put.
    public func refinePositions(stepLimit: Double) {
        model.refinePositions(estimates: positionShifts.pointer, stepLimit: stepLimit)
        positionShifts.fill(.nan)
    }

    /// `[N, 2]` of NaN: no frame has an estimate until a sweep makes one.
    static func unestimatedShifts(frameCount: Int) -> RealArray {
        let shifts = RealArray(shape: [frameCount, 2])
        shifts.fill(.nan)
        return shifts
    }
}
