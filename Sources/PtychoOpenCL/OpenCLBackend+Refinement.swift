import PtychoCore

/// Position refinement and the incoherent background on the device. The estimates and ratio sums are
/// made by kernels inside the sweeps; the once-per-iteration steps that change the model's host-side
/// description (the positions and patches, B) run on the host from a small download, as on the CPU
/// (`ReconstructionModel.refinePositions`, `IncoherentBackground.refine`), and the result goes back up.
extension OpenCLBackend {
    /// Moves the positions by the sweep's estimates, then uploads the new patch corners and tile lists.
    public func refinePositions(stepLimit: Double) {
        attempt {
            try positionShifts.download(hostPositionShifts.pointer, count: hostPositionShifts.count)
            model.refinePositions(estimates: hostPositionShifts.pointer, stepLimit: stepLimit)
            try positionShifts.fill(.nan)
            try uploadPlacement()
        }
    }

    public func enableBackground() {
        guard background == nil else { return }
        let background = IncoherentBackground(data: data)
        setBackground(background)
        uploadBackground(background)
        attempt { try backgroundRatioSums.fill(0) }
        backgroundFrames = 0
    }

    /// B ← B · Σ m·I/Î / frames from the ratios the projections since the last call added up.
    public func refineBackground() {
        guard let background, backgroundFrames > 0 else { return }
        let ratios = backgroundRatioHost
        attempt {
            try backgroundRatioSums.download(ratios.pointer, count: ratios.count)
            background.refine(ratioSum: ratios.pointer, frames: backgroundFrames)
        }
        uploadBackground(background)
        discardBackgroundRatios()
    }

    public func discardBackgroundRatios() {
        guard background != nil else { return }
        attempt { try backgroundRatioSums.fill(0) }
        backgroundFrames = 0
    }
}

extension OpenCLFrameOperators {
    public func estimatePositionShift(_ batch: FrameBatch, fromStoredExitWaves: Bool) {
        let (first, count) = range(batch)
        let perFrame = Int32(backend.metricGroupsPerFrame)
        let waves = fromStoredExitWaves ? backend.exitWaveBuffer! : backend.scratch
        backend.attempt {
            try kernels.positionShiftPartials.launch(on: context, global: Int(count) * Int(perFrame) * groupSize,
                                                     local: groupSize, [
                .buffer(waves), .buffer(backend.probeBuffer), .buffer(backend.objectBuffer), .buffer(backend.rows),
                .buffer(backend.columns), .buffer(backend.positionPartials), .int(first),
                .int(fromStoredExitWaves ? 0 : first)] + geometry + [.int(perFrame), .local(4 * groupSize)])
            try kernels.positionShiftSolve.launch(on: context, global: Int(count) * groupSize, local: groupSize, [
                .buffer(backend.positionPartials), .buffer(backend.positionShifts), .int(first), .int(perFrame),
                .local(4 * groupSize)])
        }
    }

    /// Adds the batch's m·I/Î to B's ratio sums (before the modulus scaling changes the far fields).
    func accumulateBackgroundRatios(first: Int32, count: Int32) throws {
        try kernels.backgroundRatios.launch(on: context, global: shape.pixels, local: groupSize, [
            .buffer(backend.scratch), .buffer(backend.amplitudes), .buffer(backend.mask), .buffer(backend.backgroundBuffer),
            .buffer(backend.backgroundRatioSums), .int(first), .int(count), .int(Int32(shape.modes)),
            .int(Int32(shape.pixels))])
        backend.backgroundFrames += Int(count)
    }
}
