import Foundation
import PtychoCore

// Release-mode benchmark of the CPU engines against the FFT floor.
//
//   swift run -c release PtychoBenchmarks [--frames 1000] [--size 128] [--threads 2] [--iterations 10]
//                                         [--engines ePIE,rPIE,mPIE,DM,RAAR,AP,ML] [--modes 1] [--breakdown]
//   swift run -c release PtychoBenchmarks convergence …   (error against time per plan: Convergence.swift)
//   swift run -c release PtychoBenchmarks opencl …        (the OpenCL path beside the CPU: OpenCLBenchmark.swift)
//
// Each engine runs in a child process of its own so that its peak memory (VmHWM) is its own. The FFT
// floor is the same number of forward+inverse transforms, with the same plans, threads and sweep
// structure, timed in the same process right after the engine. The ratio is of wall times; the CPU-time
// ratio (process CPU time of all threads) is steadier when other work shares the cores, but does not see
// threads waiting on each other. `--breakdown` also prints the cost of each DM pass alone (stderr).
// ML needs more transforms per iteration than the floor's two (forward + inverse for the gradient, and
// forward transforms of the direction's two terms for the line search: four in all), so its ratio is
// ≈ 2 plus its element-wise passes.

struct Options {
    var frames = 1000, size = 128, threads = 2, iterations = 10, modes = 1
    var engines = EngineKind.allCases.map(\.rawValue)
    var child = false
    var breakdown = false

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
    }

    var arguments: [String] {
        ["--frames", "\(frames)", "--size", "\(size)", "--threads", "\(threads)", "--iterations", "\(iterations)",
         "--modes", "\(modes)"] + (breakdown ? ["--breakdown"] : [])
    }
}

func peakResidentBytes() -> Int64 {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kib = Int64(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kib * 1024
}

func seconds(_ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let elapsed = clock.measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

func runChild(_ options: Options, engine: EngineKind) {
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
    let warmUp = try! EnginePlan(stages: [EngineStage(engine: engine, iterations: 2)])
    let timed = try! EnginePlan(stages: [EngineStage(engine: engine, iterations: options.iterations)])
    reconstruction.run(plan: warmUp)
    var engineCPU = 0.0, fftCPU = 0.0
    let engineSeconds = seconds { engineCPU = cpuSeconds { reconstruction.run(plan: timed) } }
        / Double(options.iterations)

    let backend = reconstruction.backend
    // The PIE family visits frames one after another; the others sweep them in parallel.
    let sequential: Set<EngineKind> = [.ePIE, .rPIE, .mPIE]
    let order: SweepOrder = sequential.contains(engine) ? .sequential(Array(0..<data.frameCount)) : .parallel
    let fftSeconds = seconds { fftCPU = cpuSeconds {
        for _ in 0..<options.iterations {
            _ = backend.sweep(order) { operators, frames in
                operators.propagateForward(frames)
                operators.propagateBackward(frames)
            }
        }
    } } / Double(options.iterations)

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
    let peak = peakResidentBytes()
    print(String(format: "%@\t%.5f\t%.5f\t%.2f\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f", engine.rawValue, engineSeconds, fftSeconds,
                 engineSeconds / fftSeconds, Double(peak) / 1048576, Double(estimate.arrayBytes) / 1048576,
                 Double(peak) / Double(estimate.arrayBytes),
                 engineSeconds / Double(options.frames * options.modes) * 1e6, engineCPU / fftCPU))
}

/// Process CPU seconds (all threads): unlike wall time, barely affected by other processes sharing the cores.
func cpuSeconds(_ body: () -> Void) -> Double {
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start)
    body()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &end)
    return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9
}

/// Milliseconds per iteration of each DM stage alone (parallel sweeps over all frames), to stderr, so that
/// the cost of every pass can be compared with the FFT floor measured in the same process: best wall time
/// and best CPU time of all threads (the latter is what to compare on a shared machine).
func printBreakdown(_ backend: CPUBackend, _ options: Options, engine: () -> Void) {
    func time(_ label: String, _ body: () -> Void) {
        body()
        var wall = Double.infinity, cpu = Double.infinity
        for _ in 0..<5 {
            var c = 0.0
            wall = min(wall, seconds { c = cpuSeconds(body) })
            cpu = min(cpu, c)
        }
        FileHandle.standardError.write(String(format: "  %-24@ wall %7.2f ms   cpu %7.2f ms\n", label as NSString,
                                              wall * 1e3, cpu * 1e3).data(using: .utf8)!)
    }
    time("DM iteration", engine)
    backend.initialiseExitWaves()
    backend.resetOverlapSums()
    func sweep(_ body: @escaping (CPUFrameWorker, FrameBatch) -> Void) -> () -> Void {
        { _ = backend.sweep(.parallel, body) }
    }
    time("FFT forward+inverse", sweep { w, f in w.propagateForward(f); w.propagateBackward(f) })
    time("combine", sweep { w, f in w.combineExitWaves(f, weight: 2, fromStoredExitWaves: true) })
    time("modulus (no FFT)", sweep { w, f in w.projectModulus(f, relaxation: 1) })
    time("modulus exact (no FFT)", sweep { w, f in w.projectModulus(f, relaxation: 0) })
    time("update + object sums", sweep { w, f in w.updateExitWaves(f, a: 0, b: 0) })
    time("probe sums", sweep { w, f in w.accumulateProbeSums(f) })
    time("reset overlap sums", { backend.resetOverlapSums() })
    time("solve object", { backend.solveObject(inertia: 0.01) })
    time("solve probe", { backend.solveProbe(inertia: 0.001) })
    time("DM sweep 1 (no update)", sweep { w, f in
        w.combineExitWaves(f, weight: 2, fromStoredExitWaves: true); w.propagateForward(f)
        w.projectModulus(f, relaxation: 1); w.propagateBackward(f)
    })
    backend.releaseExitWaves()
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
    print("engine  s/iteration  FFT floor s/iteration  ratio  peak MiB  arrays MiB  peak/arrays  µs/frame-mode  CPU-time ratio")
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
        guard f.count == 9 else { print("\(engine): benchmark child failed: \(output)"); continue }
        print("\(f[0].padding(toLength: 6, withPad: " ", startingAt: 0))  \(f[1])      \(f[2])                \(f[3])   "
              + "\(f[4])     \(f[5])      \(f[6])         \(f[7])        \(f[8])")
    }
}
