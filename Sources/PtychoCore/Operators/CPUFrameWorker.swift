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
    /// How scratch's wave was last made (`combineExitWaves`'s weight and source), and whether the modulus
    /// projection has since left its far field unchanged: `propagateBackward` then rebuilds the wave
    /// instead of transforming back (F⁻¹F x = x).
    private var combination = (weight: Float(1), fromStoredExitWaves: false)
    private var farFieldUnchanged = false
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
    // Row bands (see `CPUFrameWorker+RowBands.swift`)
    /// The team whose bands split this worker's element-wise passes while a sequential sweep runs, else nil;
    /// with `rowBandsAlone` this worker runs every band itself (see `RowBandPolicy`).
    var rowBandTeam: RowBandTeam?
    var rowBandsAlone = false
    /// Scratch rows of bands 1… (band 0 uses `kernelScratch`), and what each band returned.
    private(set) var bandScratch: [KernelScratch] = []
    private let bandRows: RealArray
    let bandMetrics: UnsafeMutablePointer<FourierMetrics>
    let bandMaxima: UnsafeMutablePointer<Float>
    /// Each band's max |O|² over the patch of `objectMaximaFrame`, from the exit-wave job.
    let bandObjectMaxima: UnsafeMutablePointer<Float>
    var objectMaximaFrame = -1

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
        let bands = backend.rowBandCount
        let width = shape.width, frame = pixelScratch.pointer
        let rows = RealArray(shape: [max(1, bands - 1), 4, width])
        bandRows = rows
        bandScratch = (0..<(bands - 1)).map { band in
            KernelScratch(frame: frame, rowA: rows.pointer + 4 * band * width, rowB: rows.pointer + (4 * band + 1) * width,
                          rowC: rows.pointer + (4 * band + 2) * width, rowD: rows.pointer + (4 * band + 3) * width)
        }
        bandMetrics = .allocate(capacity: bands)
        bandMetrics.initialize(repeating: FourierMetrics(), count: bands)
        bandMaxima = .allocate(capacity: bands)
        bandMaxima.initialize(repeating: 0, count: bands)
        bandObjectMaxima = .allocate(capacity: bands)
        bandObjectMaxima.initialize(repeating: 0, count: bands)
    }

    deinit {
        bandMetrics.deallocate()
        bandMaxima.deallocate()
        bandObjectMaxima.deallocate()
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
        combination = (c, fromStoredExitWaves)
        farFieldUnchanged = false
        for j in batch.indices {
            if fromStoredExitWaves {
                let planar = backend.planarModel!
                FrameKernels.combineExitWaves(probe: planar, patch: planar.patch(j, placement: model.placement),
                                              exitWaves: backend.exitWaves!.slice(j), weight: c,
                                              output: scratch.pointer, shape: shape)
            } else if let team = rowBandTeam {
                runBands(team, .exitWave(frame: j))
                objectMaximaFrame = j
            } else {
                FrameKernels.combineExitWaves(probe: model.probe.pointer, patch: model.patch(j), exitWaves: nil,
                                              weight: c, output: scratch.pointer, shape: shape)
            }
        }
    }

    public func propagateForward(_ batch: FrameBatch) {
        farFieldUnchanged = false
        plan.forward(scratch.pointer)
    }

    public func projectModulus(_ batch: FrameBatch, relaxation: Float) {
        let pixels = shape.pixels
        for j in batch.indices {
            let noiseBound = relaxation * data.noiseLevel.storage[j]
            if let team = rowBandTeam, noiseBound == 0 {
                runBands(team, .modulus(frame: j))
                addBandMetrics(team)
            } else {
                // One frame per batch (scratch holds one frame), so the flag is the frame's.
                farFieldUnchanged = !FrameKernels.modulusProjection(
                    farField: scratch.pointer, amplitudes: data.amplitudes.pointer + j * pixels, mask: data.mask.pointer,
                    shape: shape, noiseBound: noiseBound, scratch: kernelScratch, metrics: &metrics,
                    background: backend.background.map { UnsafePointer($0.values.pointer) },
                    backgroundRatios: backgroundRatios?.pointer)
            }
            if backgroundRatios != nil { backgroundFrames += 1 }
        }
    }

    /// For a frame the relaxed modulus projection left unchanged the inverse transform would only give back
    /// (up to rounding) the wave that went in, so that wave is rebuilt exactly instead: once DM sits at its
    /// power-bounded fixed point this halves its transforms.
    public func propagateBackward(_ batch: FrameBatch) {
        guard farFieldUnchanged else {
            plan.inverse(scratch.pointer)
            return
        }
        combineExitWaves(batch, weight: combination.weight, fromStoredExitWaves: combination.fromStoredExitWaves)
    }

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
            if let team = rowBandTeam {
                var steps = PIESteps(alpha: alpha, beta: updateProbe ? beta : 0, objectRegularisation: objectRegularisation,
                                     probeRegularisation: probeRegularisation, maxProbePower: backend.maxProbePower,
                                     maxObjectPower: 0)
                // The exit-wave job found max |O|² of this patch; nothing has changed the object since.
                precondition(objectMaximaFrame == j, "the PIE update runs after its frame's exit wave")
                steps.maxObjectPower = largestBandMaximum(bandObjectMaxima, team)
                runBands(team, .pieUpdate(frame: j, steps: steps))
                backend.maxProbePower = largestBandMaximum(bandMaxima, team)
                continue
            }
            backend.maxProbePower = FrameKernels.pieUpdate(
                projected: scratch.pointer, probe: model.probe.pointer, patch: model.patch(j), alpha: alpha,
                beta: updateProbe ? beta : 0, objectRegularisation: objectRegularisation,
                probeRegularisation: probeRegularisation, maxProbePower: backend.maxProbePower, shape: shape,
                scratch: kernelScratch)
        }
    }

}
