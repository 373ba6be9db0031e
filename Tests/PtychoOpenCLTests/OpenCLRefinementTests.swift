import Foundation
import PtychoCore
import PtychoOpenCL
import XCTest

/// Position refinement and the incoherent background on the device against the CPU
/// (`OpenCLBackend+Refinement`, `OpenCLRefinementKernelSource`).
final class OpenCLRefinementTests: XCTestCase, ParityTesting {
    /// Runs `engine` for `iterations` on both backends from the pair, refining the background after each
    /// iteration as `Reconstruction` does (when `background`).
    func runOnBoth<Engine: ReconstructionEngine>(_ engine: Engine, _ pair: ParityPair, iterations: Int, cpuThreads: Int,
                                                 background: Bool) throws -> (cpu: CPUBackend, device: OpenCLBackend) {
        let cpu = CPUBackend(model: pair.cpu, data: pair.data, threads: cpuThreads, planningEffort: .estimate)
        let device = try OpenCLBackend(model: pair.device, data: pair.data, context: try context())
        func run<Backend: ReconstructionBackend>(on backend: Backend) {
            if background { backend.enableBackground() }
            var engine = engine, random = RandomSource(seed: 1)
            engine.start(on: backend)
            for iteration in 1...iterations {
                _ = engine.iterate(on: backend, iteration: iteration, random: &random)
                backend.refineBackground()
            }
            engine.finish(on: backend)
            backend.synchroniseModel(includingObject: true)
        }
        run(on: cpu)
        run(on: device)
        return (cpu, device)
    }

    /// From positions 1 px rms off, DM and ePIE with refinement from the first iteration move the positions
    /// (by tenths of a pixel) and the device moves them where the CPU does, to 1e-3 px, with the same object.
    func testPositionRefinementMatchesTheCPU() throws {
        let settings = ProjectionSettings(fourierRelaxation: 0, positionRefinement: PositionRefinement(start: 1))
        let engines: [(String, any ReconstructionEngine, Int, Double)] = [
            ("DM", DifferenceMap(alpha: 1, settings: settings), 2, 1e-4),
            ("ePIE", ExtendedPIE(alpha: 1, beta: 1, probeUpdateStart: 1, positionRefinement: PositionRefinement(start: 1)), 1, 1e-3),
        ]
        for (name, engine, threads, tolerance) in engines {
            let pair = makePair(modes: 1, fromTruthObject: true, positionError: 1)
            let start = pair.cpu.positions, pixel = pair.cpu.placement.pixelSize
            func run<E: ReconstructionEngine>(_ engine: E) throws -> (CPUBackend, OpenCLBackend) {
                try runOnBoth(engine, pair, iterations: 4, cpuThreads: threads, background: false)
            }
            _ = try _openExistential(engine, do: run)
            XCTAssertGreaterThan(largestDifference(pair.cpu.positions, start, pixel: pixel), 0.1, "\(name) moved no position")
            XCTAssertLessThan(largestDifference(pair.device.positions, pair.cpu.positions, pixel: pixel), 1e-3, "\(name) positions")
            XCTAssertEqual(pair.device.placement.rows, pair.cpu.placement.rows, "\(name) patch rows")
            XCTAssertEqual(pair.device.placement.columns, pair.cpu.placement.columns, "\(name) patch columns")
            XCTAssertLessThan(relativeDifference(pair.device.object, pair.cpu.object), tolerance, "\(name) object")
        }
    }

    /// With the incoherent background on, DM, ePIE and ML (B in its objective, line search and ratios)
    /// give the CPU's background, object and probe.
    func testBackgroundMatchesTheCPU() throws {
        let engines: [(String, any ReconstructionEngine, Int, Double)] = [
            ("DM", DifferenceMap(alpha: 1, settings: ProjectionSettings(fourierRelaxation: 0)), 2, 1e-4),
            ("ePIE", ExtendedPIE(alpha: 1, beta: 1, probeUpdateStart: 1, positionRefinement: nil), 1, 1e-3),
            ("ML", MaximumLikelihood(noise: .poisson, probeUpdateStart: 1), 2, 1e-4),
        ]
        for (name, engine, threads, tolerance) in engines {
            let pair = makePair(modes: 2, fromTruthObject: true)
            func run<E: ReconstructionEngine>(_ engine: E) throws -> (CPUBackend, OpenCLBackend) {
                try runOnBoth(engine, pair, iterations: 4, cpuThreads: threads, background: true)
            }
            let (cpu, device) = try _openExistential(engine, do: run)
            let cpuBackground = try XCTUnwrap(cpu.background).values, deviceBackground = try XCTUnwrap(device.background).values
            let initial = IncoherentBackground(data: pair.data).values
            var difference = 0.0, norm = 0.0, moved = 0.0
            for i in 0..<cpuBackground.count {
                let c = Double(cpuBackground.pointer[i]), d = Double(deviceBackground.pointer[i])
                difference += (d - c) * (d - c)
                norm += c * c
                moved += (c - Double(initial.pointer[i])) * (c - Double(initial.pointer[i]))
            }
            XCTAssertGreaterThan((moved / norm).squareRoot(), 0.1, "\(name): the background did not change")
            XCTAssertLessThan((difference / norm).squareRoot(), tolerance, "\(name) background")
            XCTAssertLessThan(relativeDifference(pair.device.object, pair.cpu.object), tolerance, "\(name) object")
            XCTAssertLessThan(relativeDifference(pair.device.probe, pair.cpu.probe), tolerance, "\(name) probe")
        }
    }
}
