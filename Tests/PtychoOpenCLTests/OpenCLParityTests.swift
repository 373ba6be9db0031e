import Foundation
import PtychoCore
import PtychoOpenCL
import XCTest

/// The OpenCL path against the CPU path on the same simulated data and starting point. CI runs these on
/// PoCL (Debian's pocl-opencl-icd, a CPU OpenCL device); `PTYCHITE_TEST_DEVICE` picks another device.
/// Differences come from single-precision FFTs (VkFFT vs FFTW) and the order of the sums, both
/// rounding-level per iteration; a few iterations keep them at ~1e-5 relative.
final class OpenCLParityTests: XCTestCase, ParityTesting {
    func testVkFFTMatchesFFTW() throws {
        let context = try context()
        // Not powers of two (VkFFT's mixed-radix path), and a large batch of power-of-two frames.
        for (height, width, batch) in [(48, 40, 3), (64, 64, 120)] {
            let host = ComplexArray(shape: [batch, height, width])
            var random = RandomSource(seed: 4)
            for i in 0..<(2 * host.count) { host.pointer[i] = Float(random.uniform() - 0.5) }
            let expected = ComplexArray(copying: host)
            let cpuPlan = FFTPlan2D(height: height, width: width, batch: batch, effort: .estimate)
            cpuPlan.forward(expected.pointer)
            let buffer = try OpenCLBuffer(context, copying: host.pointer, count: 2 * host.count)
            let plan = try OpenCLFFTPlan(context, height: height, width: width, batch: batch)
            try plan.execute(buffer, inverse: false)
            let result = ComplexArray(shape: host.shape)
            try buffer.download(result.pointer, count: 2 * result.count)
            XCTAssertLessThan(relativeDifference(result, expected), 1e-5, "forward FFT \(height)×\(width)")
            cpuPlan.inverse(expected.pointer)
            try plan.execute(buffer, inverse: true)
            try buffer.download(result.pointer, count: 2 * result.count)
            XCTAssertLessThan(relativeDifference(result, expected), 1e-5, "inverse FFT \(height)×\(width) (unnormalised, as FFTW)")
        }
    }

    /// A few iterations of each projection engine from the same start give the same object, probe and
    /// metrics on both backends. Two probe modes exercise the mode sums and the orthogonalisation.
    ///
    /// The start is the true object (with the aperture probe): from a flat object the model's far field
    /// is exactly zero outside the probe's band, where the data still have photons, and the modulus
    /// projection gives such pixels the measured amplitude with the phase of the FFT's rounding noise,
    /// which differs between VkFFT and FFTW. That is a property of the start, not of either backend.
    func testProjectionEnginesMatchTheCPU() throws {
        let context = try context()
        // The exact projection: the power bound's keep-or-project choice per frame is a threshold, which
        // rounding can tip either way for a frame right at it, and then the iterates differ by more than
        // rounding (the full reconstruction below uses the default bound).
        let settings = ProjectionSettings(fourierRelaxation: 0)
        let engines: [(String, any ReconstructionEngine)] = [
            ("DM", DifferenceMap(alpha: 1, settings: settings)),
            ("RAAR", RelaxedAveragedAlternatingReflections(beta: 0.75, settings: settings)),
            ("AP", AlternatingProjections(settings: settings)),
        ]
        try assertEnginesMatchTheCPU(engines, iterations: 4, cpuThreads: 2, tolerance: 1e-4, context: context)
    }

    /// ePIE, rPIE and mPIE visit the frames one after another, every step on the device: a few iterations in the
    /// same (random) order give the CPU's object and probe. Sequential updates compound the FFTs' rounding
    /// differences frame after frame, hence a looser bound than for the projection engines.
    func testPIEFamilyMatchesTheCPU() throws {
        let context = try context()
        let engines: [(String, any ReconstructionEngine)] = [
            ("ePIE", ExtendedPIE(alpha: 1, beta: 1, probeUpdateStart: 1, positionRefinement: nil)),
            ("rPIE", RegularisedPIE(alpha: 1, beta: 1, objectRegularisation: 0.05, probeRegularisation: 0.25,
                                    probeUpdateStart: 1, positionRefinement: nil)),
            ("mPIE", MomentumPIE(alpha: 1, beta: 1, objectRegularisation: 0.05, probeRegularisation: 0.25, interval: 15,
                                 friction: 0.7, feedback: 0.3, probeUpdateStart: 1, positionRefinement: nil)),
        ]
        try assertEnginesMatchTheCPU(engines, iterations: 3, cpuThreads: 1, tolerance: 1e-3, context: context)
    }

    /// The batch size is the backend's business: frames split into uneven batches (a remainder plan) give
    /// the same iterate as one batch — DM with position refinement and the background (per-batch shift
    /// estimates, ratio sums across batches), then ML (far fields, gradient gathers and line-search sums
    /// per batch) — up to the rounding of sums that add per-batch partial sums (probe sums, B's ratios).
    func testBatchingDoesNotChangeTheResult() throws {
        let context = try context()
        let pair = makePair(modes: 1, positions: 50, positionError: 0.5)
        let whole = try OpenCLBackend(model: pair.cpu, data: pair.data, context: context)
        let split = try OpenCLBackend(model: pair.device, data: pair.data, context: context, batchSize: 7)
        XCTAssertEqual(whole.batchSize, 50)
        XCTAssertEqual(split.batchSize, 7)
        let dm = DifferenceMap(alpha: 1, settings: ProjectionSettings(positionRefinement: PositionRefinement(start: 2)))
        let ml = MaximumLikelihood(noise: .poisson, objectRegularisation: 0.05, probeUpdateStart: 1)
        for backend in [whole, split] {
            backend.enableBackground()
            _ = iterate(dm, on: backend, iterations: 3)
            backend.refineBackground()
            _ = iterate(ml, on: backend, iterations: 3)
        }
        XCTAssertLessThan(relativeDifference(pair.device.object, pair.cpu.object), 1e-4)
        XCTAssertLessThan(relativeDifference(pair.device.probe, pair.cpu.probe), 1e-4)
        XCTAssertNotEqual(pair.cpu.positions, makePair(modes: 1, positions: 50, positionError: 0.5).cpu.positions,
                          "the positions were refined")
        XCTAssertLessThan(largestDifference(pair.device.positions, pair.cpu.positions, pixel: pair.cpu.placement.pixelSize), 1e-3)
        XCTAssertLessThan(relativeDifference(split.background!.values, whole.background!.values), 1e-4)
    }

    /// A whole reconstruction on the device reaches the CPU's error against the truth.
    func testFullReconstructionReachesTheCPUError() throws {
        let pair = makePair(modes: 1)
        let (cpuHistory, deviceHistory) = try runPlanOnBoth("DM:60", pair)
        XCTAssertEqual(deviceHistory.count, 60)
        func nrmse(_ model: ReconstructionModel) throws -> Double {
            let placement = model.placement
            return try TruthComparison.compare(reconstruction: model.object,
                                               reconstructionOrigin: (placement.originRow, placement.originColumn),
                                               illumination: model.illumination(), truth: pair.truth.object,
                                               truthOrigin: (pair.truth.originRow, pair.truth.originColumn),
                                               pixelSize: placement.pixelSize).nrmse
        }
        let cpuError = try nrmse(pair.cpu), deviceError = try nrmse(pair.device)
        // The CPU's own threshold for DM on this data (EngineReconstructionTests) is 0.05.
        XCTAssertLessThan(deviceError, 0.05)
        XCTAssertEqual(deviceError, cpuError, accuracy: 0.1 * cpuError)
        XCTAssertEqual(deviceHistory.last!.fourierError, cpuHistory.last!.fourierError,
                       accuracy: 0.02 * cpuHistory.last!.fourierError)
    }

    /// Every engine and model feature runs on the device; only more than 16 probe modes do not (the mode
    /// mixing kernel keeps a frame's modes in registers).
    func testUnsupportedPlansAreNamed() throws {
        var configuration = ReconstructionConfiguration()
        configuration.refinePositionsStart = 5
        configuration.background = true
        let everything = try EnginePlan(parsing: "DM:5,RAAR:5,AP:5,ePIE:5,rPIE:5,mPIE:5,ML:5")
        XCTAssertNil(OpenCLBackend.unsupportedFeatures(of: configuration, plan: everything, modes: 16))
        XCTAssertEqual(OpenCLBackend.unsupportedFeatures(of: configuration, plan: everything, modes: 17),
                       "the OpenCL backend handles at most 16 probe modes")
    }

    func testDeviceSelection() throws {
        XCTAssertEqual(DeviceSelection("AUTO"), .automatic)
        XCTAssertEqual(DeviceSelection("cpu"), .cpu)
        XCTAssertEqual(DeviceSelection("opencl"), .openCL)
        XCTAssertEqual(DeviceSelection("H100"), .matching("H100"))
        XCTAssertNil(try DeviceSelection.cpu.resolve(among: OpenCLDevice.all()))
        XCTAssertThrowsError(try DeviceSelection.matching("no-such-device-xyz").resolve(among: OpenCLDevice.all())) {
            XCTAssertTrue("\($0)".contains("no device matches 'no-such-device-xyz'"), "\($0)")
        }
        XCTAssertThrowsError(try DeviceSelection.openCL.resolve(among: []))
        XCTAssertNil(try DeviceSelection.automatic.resolve(among: []), "auto without devices is the CPU path")
    }
}
