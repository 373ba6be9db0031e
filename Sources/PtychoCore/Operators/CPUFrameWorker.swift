/// One thread's share of the CPU backend: scratch waves for one frame's modes, its own Fourier metrics
/// and overlap sums, so that workers never write the same memory.
public final class CPUFrameWorker: FrameOperators, @unchecked Sendable {
    unowned let backend: CPUBackend
    let model: ReconstructionModel
    let data: MeasuredData
    let shape: FrameShape
    /// `[K, ny, nx]`: the wave flowing through one frame's pipeline.
    let scratch: ComplexArray
    /// `[ny, nx]`: per-pixel terms of the kernels (see `KernelScratch`).
    let pixelScratch: RealArray
    /// `[4, nx]`: four rows of per-pixel terms.
    let rowScratch: RealArray
    let kernelScratch: KernelScratch
    var plan: FFTPlan2D
    var metrics = FourierMetrics()
    private(set) var objectNumerator: ComplexArray?
    private(set) var objectDenominator: RealArray?
    private(set) var probeNumerator: ComplexArray?
    private(set) var probeDenominator: RealArray?
    private var accumulators: OverlapAccumulators?
    /// The same sums in the projection engines' planar layout.
    private var planarAccumulators: PlanarAccumulators?
    // rPIE / mPIE / RAAR / background
    /// `[ny, nx]`: Σ m·I/Î over the frames this worker projected since the background's last refinement.
    var backgroundRatios: RealArray?
    var backgroundFrames = 0
    // maximum likelihood
    /// Search-wave scratch and line-search sums while an ML stage runs (see `CPUFrameWorker+Likelihood.swift`).
    var likelihoodScratch: LikelihoodWorkerScratch?

    init(backend: CPUBackend) {
        self.backend = backend
        model = backend.model
        data = backend.data
        shape = backend.shape
        scratch = ComplexArray(shape: [shape.modes, shape.height, shape.width])
        pixelScratch = RealArray(shape: [shape.height, shape.width])
        rowScratch = RealArray(shape: [4, shape.width])
        kernelScratch = KernelScratch(frame: pixelScratch.pointer, rowA: rowScratch.slice(0), rowB: rowScratch.slice(1),
                                      rowC: rowScratch.slice(2), rowD: rowScratch.slice(3))
        plan = backend.parallelPlan
    }

    func allocateOverlapSums() {
        let placement = model.placement
        let on = ComplexArray(shape: [placement.objectHeight, placement.objectWidth])
        let od = RealArray(shape: [placement.objectHeight, placement.objectWidth])
        let pn = ComplexArray(shape: [shape.modes, shape.height, shape.width])
        let pd = RealArray(shape: [shape.height, shape.width])
        objectNumerator = on; objectDenominator = od; probeNumerator = pn; probeDenominator = pd
        accumulators = OverlapAccumulators(objectNumerator: on.pointer, objectDenominator: od.pointer,
                                           objectWidth: placement.objectWidth, probeNumerator: pn.pointer,
                                           probeDenominator: pd.pointer)
        planarAccumulators = PlanarAccumulators(objectNumerator: on.pointer, objectDenominator: od.pointer,
                                                objectPixels: on.count, objectWidth: placement.objectWidth,
                                                probeNumerator: pn.pointer, probeDenominator: pd.pointer)
    }

    func clearOverlapSums() {
        objectNumerator?.storage.update(repeating: 0)
        objectDenominator?.storage.update(repeating: 0)
        probeNumerator?.storage.update(repeating: 0)
        probeDenominator?.storage.update(repeating: 0)
    }

    /// With stored exit waves (the projection engines) from the backend's planar model copy, which parallel
    /// sweeps refresh: like `updateExitWaves` and `accumulateProbeSums`, call it in a parallel sweep.
    public func combineExitWaves(_ batch: FrameBatch, weight c: Float, fromStoredExitWaves: Bool) {
        for j in batch.indices {
            if fromStoredExitWaves {
                let planar = backend.planarModel!
                FrameKernels.combineExitWaves(probe: planar, patch: planar.patch(j, placement: model.placement),
                                              exitWaves: backend.exitWaves!.slice(j), weight: c,
                                              output: scratch.pointer, shape: shape)
            } else {
                FrameKernels.combineExitWaves(probe: model.probe.pointer, patch: model.patch(j), exitWaves: nil,
                                              weight: c, output: scratch.pointer, shape: shape)
            }
        }
    }

    public func propagateForward(_ batch: FrameBatch) { plan.forward(scratch.pointer) }

    public func projectModulus(_ batch: FrameBatch, relaxation: Float) {
        let pixels = shape.pixels
        for j in batch.indices {
            FrameKernels.modulusProjection(farField: scratch.pointer, amplitudes: data.amplitudes.pointer + j * pixels,
                                           mask: data.mask.pointer, shape: shape,
                                           noiseBound: relaxation * data.noiseLevel.storage[j],
                                           scratch: kernelScratch, metrics: &metrics,
                                           background: backend.background.map { UnsafePointer($0.values.pointer) },
                                           backgroundRatios: backgroundRatios?.pointer)
            if backgroundRatios != nil { backgroundFrames += 1 }
        }
    }

    public func propagateBackward(_ batch: FrameBatch) { plan.inverse(scratch.pointer) }

    /// Planar kernels (`FrameKernels+Planar`) on the planar model copy: call in a parallel sweep.
    public func updateExitWaves(_ batch: FrameBatch, a: Float, b: Float) {
        let planar = backend.planarModel!, placement = model.placement
        for j in batch.indices {
            metrics.projectionDistance += Double(FrameKernels.updateExitWaves(
                exitWaves: backend.exitWaves!.slice(j), projected: scratch.pointer, probe: planar,
                patch: planar.patch(j, placement: placement), row: placement.rows[j], column: placement.columns[j],
                a: a, b: b, shape: shape, accumulators: planarAccumulators!))
        }
    }

    public func accumulateProbeSums(_ batch: FrameBatch) {
        let planar = backend.planarModel!
        for j in batch.indices {
            FrameKernels.accumulateProbeSums(exitWaves: backend.exitWaves!.slice(j),
                                             patch: planar.patch(j, placement: model.placement), shape: shape,
                                             accumulators: planarAccumulators!)
        }
    }

    public func pieUpdate(_ batch: FrameBatch, alpha: Float, beta: Float, objectRegularisation: Float,
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
