import Foundation
import PtychoCore

// Release-mode benchmark of the CPU engines against the FFT floor.
//
//   swift run -c release PtychoBenchmarks [--frames 1000] [--size 128] [--threads 2] [--iterations 10]
//                                         [--engines ePIE,rPIE,mPIE,DM,RAAR,AP,ML] [--modes 1] [--breakdown]
//                                         [--wisdom FILE]
//   swift run -c release PtychoBenchmarks convergence …   (error against time per plan: Convergence.swift)
//   swift run -c release PtychoBenchmarks opencl …        (the OpenCL path beside the CPU: OpenCLBenchmark.swift)
//
// Each engine runs in a child process of its own so that its peak memory (VmHWM) is its own. The FFT
// floor is the same number of forward+inverse transforms, with the same plans, threads and sweep
// structure, timed in the same process after each engine iteration. The ratio is of wall times; the CPU-time
// ratio (process CPU time of all threads) is steadier when other work shares the cores, but does not see
// threads waiting on each other. `--breakdown` also prints the cost of each DM pass alone (stderr).
// `--wisdom FILE` plans from FFTW wisdom kept in FILE (each engine's child adds what it planned): FFTW_MEASURE
// picks different algorithms in different processes, and the engines' ratios move with the plan (a faster
// transform leaves a larger share to the element-wise passes), so comparisons of two builds, or of runs
// on another day, should share one plan.
// ML needs more transforms per iteration than the floor's two (forward + inverse for the gradient, and
// forward transforms of the direction's two terms for the line search: four in all), so its ratio is
// ≈ 2 plus its element-wise passes.

struct Options {
    var frames = 1000, size = 128, threads = 2, iterations = 10, modes = 1
    var engines = EngineKind.allCases.map(\.rawValue)
    var child = false
    var breakdown = false
    var wisdom: String?

    init(_ arguments: [String]) {
        let list = ArgumentList(arguments)
        frames = list.integer("--frames", default: frames)
        size = list.integer("--size", default: size)
        threads = list.integer("--threads", default: threads)
        iterations = list.integer("--iterations", default: iterations)
        modes = list.integer("--modes", default: modes)
        engines = list.list("--engines", default: engines)
        child = list.contains("--child")
        breakdown = list.contains("--breakdown")
        wisdom = list.value("--wisdom")
    }

    var arguments: [String] {
        ["--frames", "\(frames)", "--size", "\(size)", "--threads", "\(threads)", "--iterations", "\(iterations)",
         "--modes", "\(modes)"] + (breakdown ? ["--breakdown"] : []) + (wisdom.map { ["--wisdom", $0] } ?? [])
    }
}

/// Peak resident memory (VmHWM) of this process.
func peakResidentBytes() -> Int64 { statusBytes("VmHWM:") }

/// Resident pages backed by files (RssFile: the code and data of the executable and its shared libraries,
/// ~24 MiB here), which VmHWM counts too; VmHWM − RssFile is the peak of what the process allocated.
func residentFileBytes() -> Int64 { statusBytes("RssFile:") }

/// A kB field of /proc/self/status in bytes (0 where there is none).
func statusBytes(_ field: String) -> Int64 {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
          let kib = Int64(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kib * 1024
}

func seconds(_ body: () -> Void) -> Double {
    let clock = ContinuousClock(), start = clock.now
    body()
    return seconds(start, clock.now)
}

func seconds(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) -> Double {
    let elapsed = from.duration(to: to)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

func runChild(_ options: Options, engine: EngineKind) {
    // Before any plan is made, so that every plan of this run comes from the file's wisdom where it has some.
    let storedWisdom = options.wisdom.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
    if let storedWisdom, !FFTWisdom.importing(storedWisdom) {
        FileHandle.standardError.write(Data("PtychoBenchmarks: \(options.wisdom!): not FFTW wisdom\n".utf8))
        exit(1)
    }
    var parameters = PtychographySimulation.Parameters(frameSize: options.size, positionCount: options.frames)
    parameters.probeModeCount = options.modes
    parameters.seed = 11
    let (dataset, truth) = PtychographySimulation.run(parameters)
    let pixel = dataset.geometry.objectPixelSize
    let placement = ObjectPlacement(positions: dataset.positions, pixelSize: pixel,
                                    frameHeight: dataset.frameHeight, frameWidth: dataset.frameWidth)
    let object = ComplexArray(shape: [placement.objectHeight, placement.objectWidth])
    object.fill(re: 1)
    let probe = InitialProbe.withModes(truth.probe, modes: options.modes, modePower: 0.05, seed: 1)
    let model = ReconstructionModel(object: object, probe: probe, placement: placement)
    let data = MeasuredData(consuming: dataset, threads: options.threads)
    var configuration = ReconstructionConfiguration()
    configuration.probeUpdateStart = 1
    let reconstruction = Reconstruction(model: model, data: data, configuration: configuration,
                                        threads: options.threads)
    // One stage: two warm-up iterations, then the timed ones, each followed by one FFT-floor sweep: the same
    // number of forward + inverse transforms with the engine's plans, threads and sweep structure. Timing
    // the two in alternation makes both see the same machine: on these shared cores the floor measured in
    // one block after the engine moved by ±25 % between runs. The per-iteration figures are the steady state
    // (what a stage of hundreds of iterations costs per iteration); the stage's start (DM's exit waves
    // allocated and set to P·O, ML's arrays) is reported on its own, as the time of the warm-up iterations
    // beyond two steady ones.
    let warmUp = 2
    let plan = try! EnginePlan(stages: [EngineStage(engine: engine, iterations: warmUp + options.iterations)])
    let backend = reconstruction.backend
    let sequential = [EngineKind.ePIE, .rPIE, .mPIE].contains(engine)  // these visit frames one after another
    let clock = ContinuousClock()
    let started = clock.now
    var steadyFrom = started, iterationStart = started, iterationStartCPU = 0.0
    var engineWall = 0.0, engineCPU = 0.0, fftWall = 0.0, fftCPU = 0.0
    reconstruction.run(plan: plan) { record, _ in
        let end = clock.now, endCPU = processCPUSeconds()
        if record.iteration > warmUp {
            engineWall += seconds(iterationStart, end)
            engineCPU += endCPU - iterationStartCPU
            var cpu = 0.0
            fftWall += seconds { cpu = cpuSeconds { fftFloorSweep(backend, sequential: sequential) } }
            fftCPU += cpu
        } else if record.iteration == warmUp {
            steadyFrom = end
        }
        iterationStart = clock.now
        iterationStartCPU = processCPUSeconds()
        return true
    }
    let engineSeconds = engineWall / Double(options.iterations), fftSeconds = fftWall / Double(options.iterations)
    // Noise can make the difference slightly negative for engines whose start costs nothing.
    let startUpSeconds = max(0, seconds(started, steadyFrom) - Double(warmUp) * engineSeconds)

    if options.breakdown && engine == .differenceMap {
        var dm = DifferenceMap(probeUpdateStart: 1)
        var random = RandomSource(seed: 1)
        dm.start(on: backend)
        printBreakdown(backend, options) { _ = dm.iterate(on: backend, iteration: 1, random: &random) }
        dm.finish(on: backend)
    }

    let estimate = MemoryEstimate(frameCount: options.frames, frameHeight: options.size, frameWidth: options.size,
                                  modes: options.modes, objectHeight: placement.objectHeight,
                                  objectWidth: placement.objectWidth, threads: options.threads,
                                  storesExitWaves: engine.storesExitWaves,
                                  likelihood: engine == .maximumLikelihood, momentum: engine == .mPIE)
    if let path = options.wisdom {
        // What was read plus what this child planned anew (the engines do not all make the same plans),
        // written whole to a temporary name and renamed: a concurrent reader sees all of it or none.
        let temporary = path + ".partial-\(getpid())"
        if (try? FFTWisdom.exported().write(toFile: temporary, atomically: false, encoding: .utf8)) != nil {
            _ = rename(temporary, path)
        }
    }
    let peak = peakResidentBytes(), libraries = residentFileBytes()
    print(String(format: "%@\t%.5f\t%.5f\t%.2f\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f", engine.rawValue, engineSeconds,
                 fftSeconds, engineSeconds / fftSeconds, Double(peak) / 1048576, Double(estimate.arrayBytes) / 1048576,
                 Double(peak) / Double(estimate.arrayBytes),
                 engineSeconds / Double(options.frames * options.modes) * 1e6, engineCPU / fftCPU,
                 Double(peak - libraries) / Double(estimate.arrayBytes), startUpSeconds * 1e3))
}

/// One forward + inverse transform per frame on the workers' scratch, as the engine's sweeps do it: on
/// worker 0 with the sequential sweeps' plan for the PIE family, otherwise on every worker in the frame
/// chunks of a parallel sweep. Calls the workers directly: a backend sweep would also refresh the planar
/// model copy, which is not transform work.
func fftFloorSweep(_ backend: CPUBackend, sequential: Bool) {
    let frames = backend.frameCount, workers = backend.workers
    if sequential { return transformEachFrame(workers[0], 0..<frames) }
    let chunks = workers.count
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        transformEachFrame(workers[chunk], (chunk * frames / chunks)..<((chunk + 1) * frames / chunks))
    }
}

/// Forward and inverse transform of `worker`'s scratch once for every frame in `frames`.
func transformEachFrame(_ worker: CPUFrameWorker, _ frames: Range<Int>) {
    var index = 0
    withUnsafeMutablePointer(to: &index) { pointer in
        let batch = FrameBatch(UnsafeBufferPointer(start: pointer, count: 1))
        for j in frames {
            pointer.pointee = j
            worker.propagateForward(batch)
            worker.propagateBackward(batch)
        }
    }
}

/// Process CPU seconds (all threads) spent in `body`: unlike wall time, barely affected by other processes
/// sharing the cores.
func cpuSeconds(_ body: () -> Void) -> Double {
    let start = processCPUSeconds()
    body()
    return processCPUSeconds() - start
}

func processCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

/// Milliseconds per iteration of each DM stage alone (parallel sweeps over all frames), to stderr, so that
/// the cost of every pass can be compared with the FFT floor measured in the same process: best wall time
/// and best CPU time of all threads (the latter is what to compare on a shared machine).
func printBreakdown(_ backend: CPUBackend, _ options: Options, engine: () -> Void) {
    @discardableResult func time(_ label: String, _ body: () -> Void) -> Double {
        body()
        var wall = Double.infinity, cpu = Double.infinity
        for _ in 0..<5 {
            var c = 0.0
            wall = min(wall, seconds { c = cpuSeconds(body) })
            cpu = min(cpu, c)
        }
        FileHandle.standardError.write(String(format: "  %-34@ wall %7.2f ms   cpu %7.2f ms\n", label as NSString,
                                              wall * 1e3, cpu * 1e3).data(using: .utf8)!)
        return wall
    }
    time("DM iteration", engine)
    backend.initialiseExitWaves()
    backend.resetOverlapSums()
    func sweep(_ body: @escaping (CPUFrameWorker, FrameBatch) -> Void) -> () -> Void {
        { _ = backend.sweep(.parallel, body) }
    }
    let transforms = time("FFT forward+inverse", sweep { w, f in w.propagateForward(f); w.propagateBackward(f) })
    var passes = time("combine", sweep { w, f in w.combineExitWaves(f, weight: 2, fromStoredExitWaves: true) })
    passes += time("modulus (no FFT)", sweep { w, f in w.projectModulus(f, relaxation: 1) })
    time("modulus exact (no FFT)", sweep { w, f in w.projectModulus(f, relaxation: 0) })
    passes += time("update + object sums", sweep { w, f in w.updateExitWaves(f, a: 0, b: 0) })
    passes += time("probe sums", sweep { w, f in w.accumulateProbeSums(f) })
    // The memory floor under those passes: a DM iteration reads the exit waves three times (combine, update,
    // probe sums) and writes them once; here they only stream through the cores, without arithmetic.
    let waves = backend.exitWaves!
    time("exit waves: read only", { streamThrough(waves, threads: options.threads, rewrite: false) })
    time("exit waves: read + write", { streamThrough(waves, threads: options.threads, rewrite: true) })
    // The same passes with their arithmetic taken out (`TrafficFloor`): what moving their data costs.
    if options.size % 8 == 0 {
        let traffic = TrafficFloor(backend: backend, exitWaves: waves, threads: options.threads)
        var movement = 0.0
        for (pass, label) in zip(TrafficFloor.Pass.allCases, ["combine", "modulus", "update + object sums", "probe sums"]) {
            movement += time("traffic only: \(label)", { traffic.run(pass) })
        }
        FileHandle.standardError.write(String(
            format: "  passes ÷ FFT pairs %.2f; the same loads and stores with trivial arithmetic ÷ FFT pairs %.2f\n",
            passes / transforms, movement / transforms).data(using: .utf8)!)
        // The same data movement for two algorithm changes that would touch fewer bytes (`TrafficFloor.Variant`).
        for (label, variant) in [("probe sums in the update", TrafficFloor.Variant(probeSumsInUpdate: true)),
                                 ("half-precision exit waves", TrafficFloor.Variant(halfPrecisionExitWaves: true)),
                                 ("both", TrafficFloor.Variant(probeSumsInUpdate: true, halfPrecisionExitWaves: true))] {
            let changed = TrafficFloor(backend: backend, exitWaves: waves, threads: options.threads, variant: variant)
            var total = 0.0
            for pass in changed.passes { total += time("traffic, \(label): \(pass)", { changed.run(pass) }) }
            FileHandle.standardError.write(String(format: "  traffic with %@ ÷ FFT pairs %.2f\n", label as NSString,
                                                  total / transforms).data(using: .utf8)!)
        }
    }
    time("reset overlap sums", { backend.resetOverlapSums() })
    time("solve object", { backend.solveObject(inertia: 0.01) })
    time("solve probe", { backend.solveProbe(inertia: 0.001) })
    time("DM sweep 1 (no update)", sweep { w, f in
        w.combineExitWaves(f, weight: 2, fromStoredExitWaves: true); w.propagateForward(f)
        w.projectModulus(f, relaxation: 1); w.propagateBackward(f)
    })
    backend.releaseExitWaves()
}

/// Reads every float of `array` (and with `rewrite` writes each back, plus zero), split across `threads`
/// in contiguous parts: one pass's memory traffic with no arithmetic to speak of.
func streamThrough(_ array: ComplexArray, threads: Int, rewrite: Bool) {
    let count = 2 * array.count, sums = UnsafeMutableBufferPointer<SIMD8<Float>>.allocate(capacity: threads)
    defer { sums.deallocate() }
    // Addresses as integers: the closure is @Sendable and its parts touch disjoint memory.
    let floats = Int(bitPattern: array.pointer), partSums = Int(bitPattern: sums.baseAddress)
    DispatchQueue.concurrentPerform(iterations: threads) { part in
        let start = (part * count / threads) & ~7, end = part == threads - 1 ? count : ((part + 1) * count / threads) & ~7
        let raw = UnsafeMutableRawPointer(bitPattern: floats)!
        var sum = SIMD8<Float>()
        for i in stride(from: start, to: end, by: 8) {
            let v = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            sum += v
            if rewrite { raw.storeBytes(of: v + SIMD8(repeating: 0), toByteOffset: 4 * i, as: SIMD8<Float>.self) }
        }
        UnsafeMutablePointer<SIMD8<Float>>(bitPattern: partSums)![part] = sum
    }
    if sums.reduce(0, { $0 + $1.sum() }).isNaN { print("NaN in the exit waves") }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
if CommandLine.arguments.dropFirst().first == "convergence" {
    runConvergence(Array(CommandLine.arguments.dropFirst(2)))
} else if CommandLine.arguments.dropFirst().first == "opencl" {
    runOpenCLBenchmark(Array(CommandLine.arguments.dropFirst(2)))
} else if options.child {
    runChild(options, engine: EngineKind(name: options.engines[0])!)
} else {
    print("Ptychite CPU benchmark: \(options.frames) frames of \(options.size)x\(options.size), "
          + "\(options.modes) probe mode(s), \(options.threads) thread(s), \(options.iterations) timed iterations")
    print("engine  s/iteration  FFT floor s/iteration  ratio  peak MiB  arrays MiB  peak/arrays  µs/frame-mode  CPU-time ratio"
          + "  (peak−libraries)/arrays  stage start ms")
    for engine in options.engines {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = options.arguments + ["--engines", engine, "--child"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try! process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let f = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\t")
        guard f.count == 11 else { print("\(engine): benchmark child failed: \(output)"); continue }
        print("\(f[0].padding(toLength: 6, withPad: " ", startingAt: 0))  \(f[1])      \(f[2])                \(f[3])   "
              + "\(f[4])     \(f[5])      \(f[6])         \(f[7])        \(f[8])            \(f[9])                    \(f[10])")
    }
}
