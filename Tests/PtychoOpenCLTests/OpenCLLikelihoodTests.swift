import Foundation
import PtychoCore
import PtychoOpenCL
import XCTest

/// Maximum likelihood on the device against the CPU (`MaximumLikelihood` over `OpenCLBackend+Likelihood`).
final class OpenCLLikelihoodTests: XCTestCase, ParityTesting {
    /// A few conjugate-gradient iterations give the CPU's object, probe and metrics: Poisson with the
    /// smoothness prior and the probe joining at iteration 2 (a direction restart), and the
    /// Gaussian-on-amplitude model with the probe from the start. Each step γ comes from sums over every
    /// pixel, so rounding differences enter the step length as well as the direction; still rounding-level.
    func testMaximumLikelihoodMatchesTheCPU() throws {
        let context = try context()
        let engines: [(String, any ReconstructionEngine)] = [
            ("ML Poisson", MaximumLikelihood(noise: .poisson, objectRegularisation: 0.05, probeUpdateStart: 2)),
            ("ML Gaussian", MaximumLikelihood(noise: .gaussian, probeUpdateStart: 1)),
        ]
        try assertEnginesMatchTheCPU(engines, iterations: 4, cpuThreads: 2, tolerance: 1e-4, context: context)
    }

    /// The same in batches of 7 of the 60 frames: the batch scratch then cannot keep every frame's exit-wave
    /// gradient, so the device transforms the line search's second-order wave (above, in one batch, it takes
    /// that term in real space from the gradients, as the CPU does).
    func testMaximumLikelihoodInBatchesMatchesTheCPU() throws {
        let context = try context()
        let engines: [(String, any ReconstructionEngine)] = [
            ("ML Poisson in batches", MaximumLikelihood(noise: .poisson, objectRegularisation: 0.05, probeUpdateStart: 2)),
        ]
        try assertEnginesMatchTheCPU(engines, iterations: 4, cpuThreads: 2, tolerance: 1e-4, context: context,
                                     deviceBatchSize: 7)
    }

    /// ML lowers the Poisson NLL on the device as on the CPU: DM:20 then ML:20 from a flat object. DM's
    /// NLL agrees within 1 %; ML's iterates never raise it on the device, and ML lowers it there by at least
    /// 90 % of what it does on the CPU. (The two runs' sums are in different orders, so after 40 iterations
    /// their paths part. An earlier version asked for the final NLLs within 1 %: on an NVIDIA H200, before
    /// ML's step control, the device ended 2.8 % below a CPU run whose ML had stalled.)
    func testMaximumLikelihoodAfterDifferenceMapLowersTheLikelihood() throws {
        let (cpu, device) = try runPlanOnBoth("DM:20,ML:20", makePair(modes: 1))
        XCTAssertEqual(device.count, 40)
        let summary = "CPU \(cpu.map(\.poissonNLL)), device \(device.map(\.poissonNLL))"
        XCTAssertEqual(device[19].poissonNLL, cpu[19].poissonNLL, accuracy: 0.01 * abs(cpu[19].poissonNLL), summary)
        // The step control lets L rise by its rounding tolerance, 10⁻⁶·|L| ≈ 400 here: 1.7·10⁻³ of NLL per pixel.
        for (before, after) in zip(device[20...], device[21...]) {
            XCTAssertLessThanOrEqual(after.poissonNLL, before.poissonNLL + 2e-3, "iteration \(after.iteration): \(summary)")
        }
        let cpuGain = cpu[19].poissonNLL - cpu[39].poissonNLL, deviceGain = device[19].poissonNLL - device[39].poissonNLL
        XCTAssertGreaterThan(cpuGain, 0, summary)
        XCTAssertGreaterThanOrEqual(deviceGain, 0.9 * cpuGain, summary)
    }

    /// The conjugate-gradient state a checkpoint saves continues on a new backend exactly where the
    /// uninterrupted run goes: 2 + 2 iterations with a save and restore in between equal 4 iterations.
    func testStateRestoredOnANewBackendContinuesIdentically() throws {
        let context = try context()
        let pair = makePair(modes: 2, fromTruthObject: true)
        let engine = MaximumLikelihood(noise: .poisson, objectRegularisation: 0.05, probeUpdateStart: 1)
        try iterate(engine, on: try OpenCLBackend(model: pair.cpu, data: pair.data, context: context), iterations: 1...4)

        let first = try OpenCLBackend(model: pair.device, data: pair.data, context: context)
        let (_, state) = try iterate(engine, on: first, iterations: 1...2)
        XCTAssertEqual(Set(state.complexArrays.keys), Set(LikelihoodBuffers.stateNames))
        let resumed = ReconstructionModel(object: ComplexArray(copying: pair.device.object),
                                          probe: ComplexArray(copying: pair.device.probe),
                                          placement: pair.device.placement)
        try iterate(engine, on: try OpenCLBackend(model: resumed, data: pair.data, context: context), iterations: 3...4,
                    restoring: state)
        XCTAssertEqual(relativeDifference(resumed.object, pair.cpu.object), 0, "object after resume")
        XCTAssertEqual(relativeDifference(resumed.probe, pair.cpu.probe), 0, "probe after resume")
    }
}
