import Foundation
import PtychoCore

// Release-mode benchmark of the CPU engines against the FFT floor.
//
//   swift run -c release PtychoBenchmarks [--frames 1000] [--size 128] [--threads 2] [--iterations 10]
//                                         [--engines ePIE,DM] [--modes 1]
//
// Each engine runs in a child process of its own so that its peak memory (VmHWM) is its own. The FFT
// floor is the same number of forward+inverse transforms, with the same plans, threads and sweep
// structure, timed in the same process right after the engine.

struct Options {
    var frames = 1000, size = 128, threads = 2, iterations = 10, modes = 1
    var engines = ["ePIE", "DM"]
    var child = false

    init(_ arguments: [String]) {
        var i = 0
        func next() -> String { i += 1; return i < arguments.count ? arguments[i] : "" }
        while i < arguments.count {
            switch arguments[i] {
            case "--frames": frames = Int(next()) ?? frames
            case "--size": size = Int(next()) ?? size
            case "--threads": threads = Int(next()) ?? threads
            case "--iterations": iterations = Int(next()) ?? iterations
            case "--modes": modes = Int(next()) ?? modes
            case "--engines": engines = next().split(separator: ",").map(String.init)
            case "--child": child = true
            default: break
            }
            i += 1
        }
    }

    var arguments: [String] {
        ["--frames", "\(frames)", "--size", "\(size)", "--threads", "\(threads)", "--iterations", "\(iterations)",
         "--modes", "\(modes)"]
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
    let engineSeconds = seconds { reconstruction.run(plan: timed) } / Double(options.iterations)

    let backend = reconstruction.backend
    let order: SweepOrder = engine == .ePIE ? .sequential(Array(0..<data.frameCount)) : .parallel
    let fftSeconds = seconds {
        for _ in 0..<options.iterations {
            _ = backend.sweep(order) { operators, frames in
                operators.propagateForward(frames)
                operators.propagateBackward(frames)
            }
        }
    } / Double(options.iterations)

    let estimate = MemoryEstimate(frameCount: options.frames, frameHeight: options.size, frameWidth: options.size,
                                  modes: options.modes, objectHeight: placement.objectHeight,
                                  objectWidth: placement.objectWidth, threads: options.threads,
                                  storesExitWaves: engine == .differenceMap)
    let peak = peakResidentBytes()
    print(String(format: "%@\t%.5f\t%.5f\t%.2f\t%.1f\t%.1f\t%.2f\t%.2f", engine.rawValue, engineSeconds, fftSeconds,
                 engineSeconds / fftSeconds, Double(peak) / 1048576, Double(estimate.arrayBytes) / 1048576,
                 Double(peak) / Double(estimate.arrayBytes),
                 engineSeconds / Double(options.frames * options.modes) * 1e6))
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
if options.child {
    runChild(options, engine: EngineKind(name: options.engines[0])!)
} else {
    print("Ptychite CPU benchmark: \(options.frames) frames of \(options.size)x\(options.size), "
          + "\(options.modes) probe mode(s), \(options.threads) thread(s), \(options.iterations) timed iterations")
    print("engine  s/iteration  FFT floor s/iteration  ratio  peak MiB  arrays MiB  peak/arrays  µs/frame-mode")
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
        guard f.count == 8 else { print("\(engine): benchmark child failed: \(output)"); continue }
        print("\(f[0].padding(toLength: 6, withPad: " ", startingAt: 0))  \(f[1])      \(f[2])                \(f[3])   "
              + "\(f[4])     \(f[5])      \(f[6])         \(f[7])")
    }
}
