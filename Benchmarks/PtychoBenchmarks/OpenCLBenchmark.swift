import Foundation
import PtychoCore
import PtychoOpenCL

// The OpenCL path beside the CPU path, for DM, ePIE, mPIE and ML:
//
//   swift run -c release PtychoBenchmarks opencl [--frames 1000] [--size 256] [--modes 1] [--iterations 20]
//       [--device opencl] [--threads N (CPU path; 0 = every core, -1 = skip)] [--batch B]
//
// On the device: seconds per DM iteration (the engine's own iterate, waited for), the FFT floor (the same
// forward + inverse VkFFT transforms over every frame-mode, same batches), their ratio, µs per
// frame-iteration, and each operator alone with its achieved bandwidth (bytes it must move ÷ time).
// Then seconds per ePIE, mPIE and ML iteration on the device (ML's ratio is to the same FFT floor: it does
// four transforms per frame-mode where the floor does two).
// On the CPU (FFTW, same data and start): seconds per DM and per ML iteration and its own FFT floor.

struct OpenCLBenchmarkOptions {
    var frames = 1000, size = 256, modes = 1, iterations = 20, threads = 0, batch = 0
    var device = "opencl"

    init(_ arguments: [String]) {
        let list = ArgumentList(arguments)
        frames = list.integer("--frames", default: frames)
        size = list.integer("--size", default: size)
        modes = list.integer("--modes", default: modes)
        iterations = list.integer("--iterations", default: iterations)
        threads = list.integer("--threads", default: threads)
        batch = list.integer("--batch", default: batch)
        device = list.value("--device") ?? device
    }
}

func runOpenCLBenchmark(_ arguments: [String]) {
    let options = OpenCLBenchmarkOptions(arguments)
    let devices = OpenCLDevice.all()
    guard let device = (try? DeviceSelection(options.device).resolve(among: devices)) ?? nil else {
        print("no OpenCL device matches '\(options.device)'; devices: \(devices.map(\.description))")
        exit(1)
    }
    var parameters = PtychographySimulation.Parameters(frameSize: options.size, positionCount: options.frames)
    parameters.probeModeCount = options.modes
    parameters.seed = 11
    let (dataset, truth) = PtychographySimulation.run(parameters)
    let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                    frameHeight: dataset.frameHeight, frameWidth: dataset.frameWidth)
    let probe = InitialProbe.withModes(truth.probe, modes: options.modes, modePower: 0.05, seed: 1)
    func model() -> ReconstructionModel {
        let object = ComplexArray(shape: [placement.objectHeight, placement.objectWidth])
        object.fill(re: 1)
        return ReconstructionModel(object: object, probe: ComplexArray(copying: probe), placement: placement)
    }
    let cpuThreads = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
    let data = MeasuredData(consuming: dataset, threads: cpuThreads)
    let frameModes = Double(options.frames * options.modes)
    print("Ptychite OpenCL benchmark: \(options.frames) frames of \(options.size)x\(options.size), "
          + "\(options.modes) probe mode(s), \(options.iterations) timed iterations")
    print("device: \(device)")

    do {
        let context = try OpenCLContext(device: device)
        let backend = try OpenCLBackend(model: model(), data: data, context: context,
                                        batchSize: options.batch > 0 ? options.batch : nil, reservingLikelihood: true)
        print("batch: \(backend.batchSize) frames")
        var dm = DifferenceMap(alpha: 1, settings: ProjectionSettings())
        var random = RandomSource(seed: 1)
        dm.start(on: backend)
        func timed(_ repeats: Int, _ body: () -> Void) -> Double {
            body()
            try! context.finish()
            return seconds {
                for _ in 0..<repeats { body() }
                try! context.finish()
            } / Double(repeats)
        }
        var iteration = 1
        let dmSeconds = timed(options.iterations) {
            _ = dm.iterate(on: backend, iteration: iteration, random: &random)
            iteration += 1
        }
        func sweep(_ body: @escaping (OpenCLFrameOperators, FrameBatch) -> Void) -> () -> Void {
            { _ = backend.sweep(.parallel, body) }
        }
        let fftSeconds = timed(options.iterations, sweep { o, f in o.propagateForward(f); o.propagateBackward(f) })
        print(String(format: "OpenCL DM: %.3f ms/iteration, FFT floor %.3f ms, ratio %.2f, %.2f µs per frame-iteration",
                     dmSeconds * 1e3, fftSeconds * 1e3, dmSeconds / fftSeconds, dmSeconds / frameModes * 1e6))
        // Bytes each operator must move per sweep (complex = 8 bytes, n pixels, K modes, N frames).
        let n = Double(options.size * options.size), k = Double(options.modes), frames = Double(options.frames)
        let operators: [(String, Double, () -> Void)] = [
            ("FFT forward+inverse", 4 * 8 * k * n * frames, sweep { o, f in o.propagateForward(f); o.propagateBackward(f) }),
            ("combine", (2 * 8 * k + 8) * n * frames, sweep { o, f in o.combineExitWaves(f, weight: 2, fromStoredExitWaves: true) }),
            ("modulus (both passes)", (3 * 8 * k + 2 * 4) * n * frames, sweep { o, f in o.projectModulus(f, relaxation: 1) }),
            ("update + object sums", (4 * 8 * k + 8) * n * frames, sweep { o, f in o.updateExitWaves(f, a: -1, b: 1) }),
            ("probe sums", (8 * k + 8) * n * frames, sweep { o, f in o.accumulateProbeSums(f) }),
            ("solve object", 20 * Double(placement.objectHeight * placement.objectWidth), { backend.solveObject(inertia: 0.01) }),
        ]
        for (label, bytes, body) in operators {
            let t = timed(5, body)
            print("  " + label.padding(toLength: 24, withPad: " ", startingAt: 0)
                  + String(format: "%8.3f ms  %7.1f GB/s", t * 1e3, bytes / t / 1e9))
        }
        dm.finish(on: backend)
        // ePIE and mPIE: one frame after another, several kernels and two FFT calls per frame; mPIE adds its
        // momentum step every quarter of the frames, on the device.
        func timePIE<Engine: ReconstructionEngine>(_ name: String, _ engine: Engine) {
            var engine = engine, pieIteration = 1
            engine.start(on: backend)
            let pieSeconds = timed(max(1, options.iterations / 5)) {
                _ = engine.iterate(on: backend, iteration: pieIteration, random: &random)
                pieIteration += 1
            }
            engine.finish(on: backend)
            print(String(format: "OpenCL %@: %.3f ms/iteration, %.2f µs per frame-iteration", name,
                         pieSeconds * 1e3, pieSeconds / frameModes * 1e6))
        }
        timePIE("ePIE", ExtendedPIE(alpha: 1, beta: 1, probeUpdateStart: 1, positionRefinement: nil))
        timePIE("mPIE", MomentumPIE())
        var ml = MaximumLikelihood(noise: .poisson)
        ml.start(on: backend)
        var mlIteration = 1
        let mlSeconds = timed(options.iterations) {
            _ = ml.iterate(on: backend, iteration: mlIteration, random: &random)
            mlIteration += 1
        }
        ml.finish(on: backend)
        print(String(format: "OpenCL ML: %.3f ms/iteration, ratio %.2f to the FFT floor, %.2f µs per frame-iteration",
                     mlSeconds * 1e3, mlSeconds / fftSeconds, mlSeconds / frameModes * 1e6))
    } catch {
        print("OpenCL path failed: \(error)")
        exit(1)
    }

    guard options.threads >= 0 else { return }
    let cpu = CPUBackend(model: model(), data: data, threads: cpuThreads, planningEffort: .measure)
    var dm = DifferenceMap(alpha: 1, settings: ProjectionSettings())
    var random = RandomSource(seed: 1)
    dm.start(on: cpu)
    let cpuIterations = max(1, min(options.iterations, 3))
    _ = dm.iterate(on: cpu, iteration: 1, random: &random)
    let cpuSeconds = seconds { for i in 0..<cpuIterations { _ = dm.iterate(on: cpu, iteration: 2 + i, random: &random) } }
        / Double(cpuIterations)
    let cpuFFT = seconds { _ = cpu.sweep(.parallel) { o, f in o.propagateForward(f); o.propagateBackward(f) } }
    print(String(format: "CPU DM (%d threads, FFTW): %.3f ms/iteration, FFT floor %.3f ms, ratio %.2f, %.2f µs per frame-iteration",
                 cpuThreads, cpuSeconds * 1e3, cpuFFT * 1e3, cpuSeconds / cpuFFT, cpuSeconds / frameModes * 1e6))
    dm.finish(on: cpu)
    var ml = MaximumLikelihood(noise: .poisson)
    ml.start(on: cpu)
    _ = ml.iterate(on: cpu, iteration: 1, random: &random)
    let cpuML = seconds { for i in 0..<cpuIterations { _ = ml.iterate(on: cpu, iteration: 2 + i, random: &random) } }
        / Double(cpuIterations)
    ml.finish(on: cpu)
    print(String(format: "CPU ML (%d threads, FFTW): %.3f ms/iteration, ratio %.2f, %.2f µs per frame-iteration",
                 cpuThreads, cpuML * 1e3, cpuML / cpuFFT, cpuML / frameModes * 1e6))
}
