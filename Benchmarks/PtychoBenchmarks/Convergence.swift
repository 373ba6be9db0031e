import Foundation
import PtychoCore

// Error reached against time, for choosing a recommended engine plan:
//
//   swift run -c release PtychoBenchmarks convergence [--frames 400] [--size 128] [--modes 3] [--threads 2]
//       [--plans "DM:300;DM:300,ML:200"] [--every 10]
//
// One simulated cSAXS-like data set (several probe modes), the automatic initial probe (as a user gets
// it), and each plan run from that same start. Every `--every` iterations the object is compared with the
// truth (NRMSE after removing global phase, phase ramp and sub-pixel shift); the comparison's own time is
// excluded from the reported seconds.

struct ConvergenceOptions {
    var frames = 400, size = 128, modes = 3, threads = 2, every = 10
    var plans = ["DM:300", "DM:300,ML:200"]

    init(_ arguments: [String]) {
        let list = ArgumentList(arguments)
        frames = list.integer("--frames", default: frames)
        size = list.integer("--size", default: size)
        modes = list.integer("--modes", default: modes)
        threads = list.integer("--threads", default: threads)
        every = list.integer("--every", default: every)
        plans = list.list("--plans", separator: ";", default: plans)
    }
}

func runConvergence(_ arguments: [String]) {
    let options = ConvergenceOptions(arguments)
    var parameters = PtychographySimulation.Parameters(frameSize: options.size, positionCount: options.frames)
    parameters.probeModeCount = options.modes
    parameters.seed = 17
    let (dataset, truth) = PtychographySimulation.run(parameters)
    let choice = InitialProbe.chooseBeamDiameter(for: dataset, threads: options.threads, seed: 1)
    let initialProbe = InitialProbe.aperture(for: dataset, beamDiameter: choice.diameter, modes: options.modes,
                                             modePower: 0.05, seed: 1, apertureRadius: choice.apertureRadius)
    let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                    frameHeight: dataset.frameHeight, frameWidth: dataset.frameWidth)
    let data = MeasuredData(consuming: dataset, threads: options.threads)
    print("Convergence: \(options.frames) frames of \(options.size)x\(options.size), \(options.modes) simulated and "
          + "reconstructed probe modes, \(options.threads) thread(s); initial beam \(String(format: "%.2f", choice.diameter * 1e6)) µm")
    print("plan\titeration\tengine\tseconds\tfourier_error\tllk_poisson\tnrmse")
    var summary: [String] = []
    for text in options.plans {
        guard let plan = try? EnginePlan(parsing: text) else { print("\(text): not a plan"); continue }
        let object = ComplexArray(shape: [placement.objectHeight, placement.objectWidth])
        object.fill(re: 1)
        let model = ReconstructionModel(object: object, probe: ComplexArray(copying: initialProbe), placement: placement)
        let reconstruction = Reconstruction(model: model, data: data, configuration: ReconstructionConfiguration(),
                                            threads: options.threads)
        var excluded = 0.0
        var last = (seconds: 0.0, nrmse: Double.nan)
        reconstruction.run(plan: plan) { record, total in
            guard record.iteration % options.every == 0 || record.iteration == total else { return true }
            let elapsed = record.seconds - excluded
            var nrmse = Double.nan
            excluded += seconds {
                nrmse = (try? TruthComparison.compare(
                    reconstruction: model.object, reconstructionOrigin: (placement.originRow, placement.originColumn),
                    illumination: model.illumination(), truth: truth.object,
                    truthOrigin: (truth.originRow, truth.originColumn), pixelSize: placement.pixelSize).nrmse) ?? .nan
            }
            last = (elapsed, nrmse)
            print(String(format: "%@\t%d\t%@\t%.2f\t%.5e\t%.6g\t%.4f", text, record.iteration, record.engine, elapsed,
                         record.fourierError, record.poissonNLL, nrmse))
            return true
        }
        let final = reconstruction.history.last!
        summary.append(String(format: "%-24@ %6.1f s  NRMSE %.4f  Fourier error %.4e  Poisson NLL %.6g", text as NSString,
                              last.seconds, last.nrmse, final.fourierError, final.poissonNLL))
    }
    print("\nsummary (plan, time, error against the truth, final metrics):")
    for line in summary { print(line) }
}
