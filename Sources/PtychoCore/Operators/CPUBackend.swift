import CFFTW
import Foundation

/// The CPU backend: FFTW plans made once, one worker per thread, each with its own scratch and overlap
/// sums, all allocated when the backend is made (or when a stage first needs exit waves), never inside
/// an iteration.
public final class CPUBackend: ReconstructionBackend, @unchecked Sendable {
    public let model: ReconstructionModel
    public let data: MeasuredData
    public let threads: Int
    let shape: FrameShape
    /// One-thread plan over the modes of one frame; workers execute it concurrently on their own scratch.
    let parallelPlan: FFTPlan2D
    /// Plan over the modes of one frame using every thread, for sequential sweeps.
    let sequentialPlan: FFTPlan2D
    public private(set) var workers: [CPUFrameWorker]
    /// Shares worker 0's element-wise passes during sequential sweeps when there are several threads.
    private var rowBandTeam: RowBandTeam?
    private var rowBandPolicy = RowBandPolicy()
    let rowBandCount: Int
    /// `[N, K, ny, nx]` when a stage that stores exit waves runs.
    public private(set) var exitWaves: ComplexArray?
    /// Planar probe and object for the projection engines' passes, held with the exit waves and refreshed
    /// at the start of every parallel sweep (see `PlanarModel`).
    private(set) var planarModel: PlanarModel?
    /// max_r Σ_k |P_k|², kept current by the ePIE updates.
    var maxProbePower: Float = 0
    private var overlapSumsAllocated = false
    /// Probe-mode orthogonalisation (issue 3, item 4): Gram matrix, LAPACK workspace and scratch.
    let modeOrthogonaliser: ProbeModeOrthogonaliser
    /// Position refinement (issue 3, item 5): `[N, 2]` shift estimates (rows, columns) of the last sweep.
    let positionShifts: RealArray
    // rPIE / mPIE / RAAR / background
    /// The incoherent background when the model has one (`enableBackground`), else nil.
    public internal(set) var background: IncoherentBackground?
    // maximum likelihood
    /// The conjugate-gradient arrays while an ML stage runs (see `CPUBackend+Likelihood.swift`).
    public internal(set) var likelihood: LikelihoodBuffers?
    /// Whether an ML stage keeps every frame's exit-wave gradient for its line search (one more array the
    /// size of the exit waves, one transform fewer per frame-mode and iteration; `LikelihoodBuffers`).
    /// Set before the stage starts; `MemoryEstimate` counts the array when it is kept.
    public var keepsExitWaveGradients = true

    public var frameCount: Int { data.frameCount }

    /// Whether sequential sweeps use the multi-threaded plan (chosen by timing unless `sequentialPlanThreaded`
    /// is given: a resumed run repeats the interrupted run's choice so that it rounds identically).
    public var sequentialPlanIsThreaded: Bool { sequentialPlan !== parallelPlan }

    /// `rowBands` fixes how many bands of rows share a sequential sweep's frame (1: none); by default one
    /// per thread within the limits of `rowBands(threads:height:)`.
    public init(model: ReconstructionModel, data: MeasuredData, threads: Int,
                planningEffort: FFTPlanningEffort = .measure, sequentialPlanThreaded: Bool? = nil,
                rowBands: Int? = nil) {
        self.model = model
        self.data = data
        self.threads = max(1, threads)
        shape = model.frameShape
        rowBandCount = rowBands ?? Self.rowBands(threads: self.threads, height: shape.height)
        parallelPlan = FFTPlan2D(height: shape.height, width: shape.width, batch: shape.modes, threads: 1,
                                 effort: planningEffort)
        if self.threads == 1 || sequentialPlanThreaded == false {
            sequentialPlan = parallelPlan
        } else {
            let threaded = FFTPlan2D(height: shape.height, width: shape.width, batch: shape.modes,
                                     threads: self.threads, effort: planningEffort)
            sequentialPlan = sequentialPlanThreaded == true ? threaded : Self.faster(parallelPlan, threaded)
        }
        modeOrthogonaliser = ProbeModeOrthogonaliser(modes: shape.modes, pixels: shape.pixels)
        positionShifts = Self.unestimatedShifts(frameCount: data.frameCount)
        workers = []
        workers = (0..<self.threads).map { _ in CPUFrameWorker(backend: self) }
        if rowBandCount > 1 { rowBandTeam = RowBandTeam(bands: rowBandCount, performer: workers[0]) }
    }

    /// How many row bands share a sequential sweep's frame: one per thread, but never more than the cores
    /// (a helper that polls on a core another band needs would stall every hand-off), at most 8 (beyond,
    /// the hand-offs cost more than the thinner bands save) and at least 8 rows each.
    public static func rowBands(threads: Int, height: Int) -> Int {
        min(threads, ProcessInfo.processInfo.activeProcessorCount, 8, max(1, height / 8))
    }

    /// The faster of two plans for the same transform, timed on scratch data. FFTW's threaded plans lose to
    /// one thread on small frames (thread hand-off costs more than the transform), and its planner does not
    /// always notice, so sequential sweeps keep whichever is really faster here.
    static func faster(_ first: FFTPlan2D, _ second: FFTPlan2D) -> FFTPlan2D {
        let data = ComplexArray(shape: [first.batch, first.height, first.width])
        let clock = ContinuousClock()
        func time(_ plan: FFTPlan2D) -> Duration {
            plan.forward(data.pointer)
            return clock.measure { for _ in 0..<8 { plan.forward(data.pointer); plan.inverse(data.pointer) } }
        }
        return withExtendedLifetime(data) { time(first) <= time(second) ? first : second }
    }

    public func sweep(_ order: SweepOrder, _ body: (CPUFrameWorker, FrameBatch) -> Void) -> FourierMetrics {
        for worker in workers { worker.metrics = FourierMetrics() }
        switch order {
        case .sequential(let frames):
            let worker = workers[0]
            worker.plan = sequentialPlan
            ptychite_flush_denormals_to_zero()
            maxProbePower = currentMaxProbePower()
            worker.rowBandTeam = rowBandTeam
            worker.rowBandsAlone = rowBandTeam != nil && !rowBandPolicy.useHelpers()
            let started = ThreadTimes.now()
            frames.withUnsafeBufferPointer { all in
                for position in all.indices {
                    body(worker, FrameBatch(UnsafeBufferPointer(rebasing: all[position...position])))
                }
            }
            if rowBandTeam != nil, !worker.rowBandsAlone {
                rowBandPolicy.record(cpuShare: ThreadTimes.now().cpuShare(since: started))
            }
            worker.rowBandTeam = nil
            return worker.metrics
        case .parallel:
            planarModel?.refresh(from: model, threads: threads)
            let count = frameCount, chunks = workers.count
            let workers = UncheckedBox(workers), plan = parallelPlan
            withoutActuallyEscaping(body) { escapable in
                let body = UncheckedBox(escapable)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let worker = workers.value[chunk]
                    worker.plan = plan
                    ptychite_flush_denormals_to_zero()
                    var index = 0
                    withUnsafeMutablePointer(to: &index) { pointer in
                        let batch = FrameBatch(UnsafeBufferPointer(start: pointer, count: 1))
                        for j in (chunk * count / chunks)..<((chunk + 1) * count / chunks) {
                            pointer.pointee = j
                            body.value(worker, batch)
                        }
                    }
                }
            }
            return workers.value.reduce(FourierMetrics()) { $0 + $1.metrics }
        }
    }

    public func initialiseExitWaves() {
        let waves = exitWaves ?? ComplexArray(shape: [frameCount, shape.modes, shape.height, shape.width])
        exitWaves = waves
        if planarModel == nil {
            planarModel = PlanarModel(shape: shape, objectHeight: model.placement.objectHeight,
                                      objectWidth: model.placement.objectWidth)
        }
        let model = model, shape = shape, count = frameCount, chunks = threads
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            for j in (chunk * count / chunks)..<((chunk + 1) * count / chunks) {
                FrameKernels.combineExitWaves(probe: model.probe.pointer, patch: model.patch(j), exitWaves: nil,
                                              weight: 1, output: waves.slice(j), shape: shape)
            }
        }
    }

    public func releaseExitWaves() {
        exitWaves = nil
        planarModel = nil
    }

    public func resetOverlapSums() {
        if !overlapSumsAllocated {
            for worker in workers { worker.allocateOverlapSums() }
            overlapSumsAllocated = true
        }
        let workers = UncheckedBox(workers)
        DispatchQueue.concurrentPerform(iterations: workers.value.count) { workers.value[$0].clearOverlapSums() }
    }

    /// The sums are the planar ones of the projection engines' kernels (`PlanarAccumulators`).
    public func solveObject(inertia: Float) {
        reduceObjectSums()
        let total = workers[0]
        OverlapSolve.dividePlanar(values: model.object.pointer, numerator: total.objectNumerator!.pointer,
                                  denominator: total.objectDenominator!.pointer, count: model.object.count,
                                  repeats: 1, inertia: inertia)
    }

    public func solveProbe(inertia: Float) {
        reduceProbeSums()
        let total = workers[0]
        OverlapSolve.dividePlanar(values: model.probe.pointer, numerator: total.probeNumerator!.pointer,
                                  denominator: total.probeDenominator!.pointer, count: shape.pixels,
                                  repeats: shape.modes, inertia: inertia)
    }

    /// Adds every worker's object overlap sums (numerator, denominator) into worker 0's, split by rows
    /// across threads. Each element gets worker 1's, then worker 2's… terms, so the result does not depend
    /// on how the frames were scheduled.
    func reduceObjectSums() {
        precondition(overlapSumsAllocated, "overlap sums reduced before resetOverlapSums")
        let height = model.placement.objectHeight, width = model.placement.objectWidth
        let rowsPerChunk = (height + threads - 1) / threads
        let workers = UncheckedBox(workers)
        DispatchQueue.concurrentPerform(iterations: threads) { chunk in
            let total = workers.value[0]
            let start = chunk * rowsPerChunk * width, end = min(height, (chunk + 1) * rowsPerChunk) * width
            guard start < end else { return }
            for other in workers.value.dropFirst() {
                let n = total.objectNumerator!.pointer, m = other.objectNumerator!.pointer
                let d = total.objectDenominator!.pointer, e = other.objectDenominator!.pointer
                for i in start..<end {
                    n[2 * i] += m[2 * i]; n[2 * i + 1] += m[2 * i + 1]; d[i] += e[i]
                }
            }
        }
    }

    /// Adds every worker's probe overlap sums into worker 0's, in worker order.
    func reduceProbeSums() {
        precondition(overlapSumsAllocated, "overlap sums reduced before resetOverlapSums")
        let total = workers[0]
        for other in workers.dropFirst() {
            let n = total.probeNumerator!.pointer, m = other.probeNumerator!.pointer
            for i in 0..<(2 * shape.modes * shape.pixels) { n[i] += m[i] }
            let d = total.probeDenominator!.pointer, e = other.probeDenominator!.pointer
            for i in 0..<shape.pixels { d[i] += e[i] }
        }
    }

    func currentMaxProbePower() -> Float {
        let power = workers[0].pixelScratch.pointer
        for i in 0..<shape.pixels { power[i] = 0 }
        for k in 0..<shape.modes {
            let p = model.probe.slice(k)
            for i in 0..<shape.pixels { power[i] += p[2 * i] * p[2 * i] + p[2 * i + 1] * p[2 * i + 1] }
        }
        var m: Float = 0
        for i in 0..<shape.pixels { m = max(m, power[i]) }
        return m
    }
}

/// `values = (c·values + numerator) / (c + denominator)` with `c = inertia · max(denominator)`; the
/// denominator is shared by `repeats` consecutive complex arrays of `count` elements (the probe modes).
/// `values` are interleaved; the numerator is planar, each of the `repeats` arrays as `count` real parts
/// followed by `count` imaginary parts (`PlanarAccumulators`).
enum OverlapSolve {
    static func dividePlanar(values: UnsafeMutablePointer<Float>, numerator: UnsafePointer<Float>,
                             denominator: UnsafePointer<Float>, count: Int, repeats: Int, inertia: Float) {
        let c = max(inertia * Reduction.maximum(denominator, count), Float.leastNormalMagnitude)
        for k in 0..<repeats {
            let v = values + 2 * k * count, re = numerator + 2 * k * count, im = re + count
            for i in 0..<count {
                let scale = 1 / (c + denominator[i])
                v[2 * i] = (c * v[2 * i] + re[i]) * scale
                v[2 * i + 1] = (c * v[2 * i + 1] + im[i]) * scale
            }
        }
    }
}

/// Carries non-Sendable values (workers, raw pointers) into `concurrentPerform`'s `@Sendable` closure;
/// users guarantee that concurrent iterations touch disjoint memory.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The calling thread's CPU time and the monotonic wall time, read together.
struct ThreadTimes {
    let cpu: Double
    let wall: Double

    static func now() -> ThreadTimes {
        var cpu = timespec(), wall = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu)
        clock_gettime(CLOCK_MONOTONIC, &wall)
        return ThreadTimes(cpu: Double(cpu.tv_sec) + Double(cpu.tv_nsec) * 1e-9,
                           wall: Double(wall.tv_sec) + Double(wall.tv_nsec) * 1e-9)
    }

    /// CPU time ÷ wall time since `start` (1 when no time passed).
    func cpuShare(since start: ThreadTimes) -> Double {
        let wall = self.wall - start.wall
        return wall > 0 ? (cpu - start.cpu) / wall : 1
    }
}
