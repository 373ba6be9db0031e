import Foundation
import PtychoCore
import PtychoOpenCL
import XCTest

/// The device the OpenCL tests run on: PoCL in CI, or `PTYCHITE_TEST_DEVICE`. One context per process.
let parityTestContext: OpenCLContext? = {
    let selection = DeviceSelection(ProcessInfo.processInfo.environment["PTYCHITE_TEST_DEVICE"] ?? "opencl")
    guard let device = try? selection.resolve(among: OpenCLDevice.all()) else { return nil }
    return try? OpenCLContext(device: device)
}()

/// Two identical starting points on the same data.
struct ParityPair {
    let cpu: ReconstructionModel
    let device: ReconstructionModel
    let data: MeasuredData
    let truth: SimulationTruth
}

/// What the OpenCL tests share: the device, a simulated pair of starting points, and the comparison of
/// engines run on both backends.
protocol ParityTesting: XCTestCase {}

extension ParityTesting {
    func context() throws -> OpenCLContext {
        guard let context = parityTestContext else {
            XCTFail("no OpenCL device: install pocl-opencl-icd (bash .ci/install-system-packages) or set PTYCHITE_TEST_DEVICE")
            throw XCTSkip("no OpenCL device")
        }
        return context
    }

    /// From ones (`fromTruthObject` false) or from the true object; the probe is always the aperture model.
    /// `positionError` > 0 hands both models the simulated positions with a seeded Gaussian error of that
    /// many object pixels rms per axis.
    func makePair(modes: Int, positions: Int = 60, frameSize: Int = 64, fromTruthObject: Bool = false,
                  positionError: Double = 0) -> ParityPair {
        var parameters = PtychographySimulation.Parameters(frameSize: frameSize, positionCount: positions)
        parameters.probeModeCount = modes
        parameters.dose = 1e6
        parameters.seed = 11
        parameters.extraModePowerFraction = 0.1
        let (dataset, truth) = PtychographySimulation.run(parameters)
        if positionError > 0 {
            var random = RandomSource(seed: 12)
            let pixel = dataset.geometry.objectPixelSize
            dataset.positions = ScanPositions(y: truth.positions.y.map { $0 + positionError * pixel.y * random.normal() },
                                              x: truth.positions.x.map { $0 + positionError * pixel.x * random.normal() })
        }
        let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                        frameHeight: frameSize, frameWidth: frameSize)
        let probe = InitialProbe.aperture(for: dataset, beamDiameter: 3e-6, modes: modes, modePower: 0.05, seed: 3)
        func model() -> ReconstructionModel {
            let object = ComplexArray(shape: [placement.objectHeight, placement.objectWidth])
            if fromTruthObject { object.pointer.update(from: truth.object.pointer, count: 2 * object.count) } else { object.fill(re: 1) }
            return ReconstructionModel(object: object, probe: ComplexArray(copying: probe), placement: placement,
                                       positions: dataset.positions)
        }
        return ParityPair(cpu: model(), device: model(), data: MeasuredData(consuming: dataset, threads: 2), truth: truth)
    }

    /// Largest difference between two position lists, in object pixels.
    func largestDifference(_ a: ScanPositions, _ b: ScanPositions, pixel: (y: Double, x: Double)) -> Double {
        zip(zip(a.y, a.x), zip(b.y, b.x)).map { max(abs($0.0 - $1.0) / pixel.y, abs($0.1 - $1.1) / pixel.x) }.max() ?? 0
    }

    /// ‖a − b‖ / ‖b‖ over interleaved floats.
    func relativeDifference(_ a: ComplexArray, _ b: ComplexArray) -> Double {
        relativeDifference(a.pointer, b.pointer, count: 2 * a.count)
    }

    /// ‖a − b‖ / ‖b‖ of two real arrays.
    func relativeDifference(_ a: RealArray, _ b: RealArray) -> Double {
        relativeDifference(a.pointer, b.pointer, count: a.count)
    }

    private func relativeDifference(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        var difference = 0.0, norm = 0.0
        for i in 0..<count {
            let d = Double(a[i] - b[i])
            difference += d * d
            norm += Double(b[i]) * Double(b[i])
        }
        return (difference / max(norm, .leastNormalMagnitude)).squareRoot()
    }

    /// Iterations `iterations` of `engine` (a fresh copy) on `backend`, from `start` (the engine's state
    /// restored first when given); returns each iteration's metrics and the engine's state at the end.
    @discardableResult
    func iterate<Engine: ReconstructionEngine, Backend: ReconstructionBackend>(
        _ engine: Engine, on backend: Backend, iterations: ClosedRange<Int>, restoring state: EngineState? = nil
    ) throws -> (metrics: [FourierMetrics], state: EngineState) {
        var engine = engine, random = RandomSource(seed: 1)
        engine.start(on: backend)
        defer { engine.finish(on: backend) }
        if let state { try engine.restoreState(state, on: backend) }
        let metrics = iterations.map { engine.iterate(on: backend, iteration: $0, random: &random) }
        backend.synchroniseModel(includingObject: true)
        return (metrics, engine.saveState(on: backend))
    }

    func iterate<Engine: ReconstructionEngine, Backend: ReconstructionBackend>(_ engine: Engine, on backend: Backend,
                                                                           iterations: Int) -> [FourierMetrics] {
        // Without a state to restore nothing can throw.
        try! iterate(engine, on: backend, iterations: 1...iterations).metrics
    }

    /// Runs `plan` through `Reconstruction` (default configuration) on the CPU (2 threads) and on the device,
    /// each from its model of the pair; returns both histories.
    func runPlanOnBoth(_ plan: String, _ pair: ParityPair) throws -> (cpu: [IterationRecord], device: [IterationRecord]) {
        let configuration = ReconstructionConfiguration(), parsed = try EnginePlan(parsing: plan)
        let cpu = Reconstruction(model: pair.cpu, data: pair.data, configuration: configuration, threads: 2,
                                 planningEffort: .estimate)
        let backend = try OpenCLBackend(model: pair.device, data: pair.data, context: try context(),
                                        reservingLikelihood: parsed.stages.contains { $0.engine == .maximumLikelihood })
        let device = Reconstruction(model: pair.device, data: pair.data, configuration: configuration, backend: backend)
        return (cpu.run(plan: parsed), device.run(plan: parsed))
    }

    /// Runs each engine for `iterations` from the same start (true object, aperture probe, 2 modes) on the
    /// CPU and on the device: object and probe within `tolerance` (relative L2), the amplitude residual
    /// within 1e-3 each iteration, and the Poisson likelihood within 1e-3 (the CPU evaluates ln with a
    /// fast approximation, `fastLogarithm`, ~1e-4 relative; the device exactly).
    /// `deviceBatchSize`: frames per device batch (default: the backend's choice, all frames here).
    func assertEnginesMatchTheCPU(_ engines: [(String, any ReconstructionEngine)], iterations: Int, cpuThreads: Int,
                                  tolerance: Double, context: OpenCLContext, deviceBatchSize: Int? = nil,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        for (name, engine) in engines {
            let pair = makePair(modes: 2, fromTruthObject: true)
            let cpu = CPUBackend(model: pair.cpu, data: pair.data, threads: cpuThreads, planningEffort: .estimate)
            let device = try OpenCLBackend(model: pair.device, data: pair.data, context: context, batchSize: deviceBatchSize)
            let startObject = ComplexArray(copying: pair.cpu.object), startProbe = ComplexArray(copying: pair.cpu.probe)
            func run<E: ReconstructionEngine>(_ engine: E) -> ([FourierMetrics], [FourierMetrics]) {
                (iterate(engine, on: cpu, iterations: iterations), iterate(engine, on: device, iterations: iterations))
            }
            let (cpuMetrics, deviceMetrics) = _openExistential(engine, do: run)
            XCTAssertLessThan(relativeDifference(pair.device.object, pair.cpu.object), tolerance, "\(name) object",
                              file: file, line: line)
            XCTAssertLessThan(relativeDifference(pair.device.probe, pair.cpu.probe), tolerance, "\(name) probe",
                              file: file, line: line)
            // The comparison means something only if the iterations moved the model well beyond the tolerance.
            let moved = max(relativeDifference(pair.cpu.object, startObject), relativeDifference(pair.cpu.probe, startProbe))
            XCTAssertGreaterThan(moved, 30 * tolerance, "\(name) barely changed the model", file: file, line: line)
            XCTAssertEqual(cpuMetrics.count, deviceMetrics.count)
            for (c, d) in zip(cpuMetrics, deviceMetrics) {
                XCTAssertEqual(d.amplitudeResidual, c.amplitudeResidual, accuracy: 1e-3 * c.amplitudeResidual,
                               "\(name) residual", file: file, line: line)
                XCTAssertEqual(d.likelihood, c.likelihood, accuracy: 1e-3 * abs(c.likelihood), "\(name) likelihood",
                               file: file, line: line)
            }
        }
    }
}
