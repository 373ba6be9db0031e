import ArgumentParser
import Foundation
import PtychoCore
import PtychoIO

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a far-field ptychography experiment: a CXI input file and a separate truth file.",
        discussion: """
            Defaults are cSAXS-like: 6.2 keV, 7.2 m, 75 µm pixels, a defocused focused-aperture probe about \
            three scan steps across, a Fermat-spiral scan and Poisson noise. Deterministic for a given --seed.
            """)

    @Argument(help: "CXI file to write.") var output: String
    @Option(help: "Truth file to write (default: <output stem>_truth.h5).") var truth: String?
    @Option(help: "Number of frames (scan positions).") var frames = 500
    @Option(name: .customLong("frame-size"), help: "Frame edge in pixels.") var frameSize = 128
    @Option(name: .customLong("energy-kev"), help: "Photon energy, keV.") var energyKeV = 6.2
    @Option(name: .customLong("distance-m"), help: "Sample–detector distance, m.") var distance = 7.2
    @Option(name: .customLong("pixel-um"), help: "Detector pixel pitch, µm.") var pixel = 75.0
    @Option(help: "Scan pattern: fermat or raster.") var scan = "fermat"
    @Option(name: .customLong("step-um"), help: "Scan step, µm (default: a third of the beam diameter).") var step: Double?
    @Option(name: .customLong("beam-diameter-um"), help: "Beam diameter at the sample, µm.") var beamDiameter = 3.0
    @Option(name: .customLong("probe-modes"), help: "Incoherent probe modes in the simulated beam.") var probeModes = 1
    @Option(name: .customLong("mode-power"), help: "Power fraction of each extra probe mode.") var modePower = 0.05
    @Option(help: "Mean photons per frame; 0 = noiseless.") var dose = 1e6
    @Option(name: .customLong("dead-pixels"), help: "Fraction of dead detector pixels (masked).") var deadPixels = 0.001
    @Flag(name: .customLong("detector-gap"), help: "Add a masked detector gap (a band of columns).") var detectorGap = false
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(name: .customLong("translation-layout"), help: "Translation dataset shape: n3 (CXI) or 3n (PyNX).")
    var translationLayout = "n3"
    @Option(help: "Mean diffuse background, photons per pixel, added to every frame (written to the truth file).")
    var background = 0.0

    func run() throws {
        try reportingFailures {
            guard frames > 0, frameSize >= 16, energyKeV > 0, distance > 0, pixel > 0, beamDiameter > 0, dose >= 0,
                  probeModes >= 1, (0..<0.5).contains(modePower), (0..<1).contains(deadPixels),
                  background >= 0, background.isFinite else {
                throw CommandFailure(message: "simulate: every size, energy, distance, pixel, dose and fraction must be positive and in range",
                                     status: ExitStatus.usage)
            }
            let beam = beamDiameter * 1e-6
            let scanStep = (step ?? beamDiameter / 3) * 1e-6
            var parameters = PtychographySimulation.Parameters(frameSize: frameSize, positionCount: frames)
            parameters.energy = energyKeV * 1000 * PhysicalConstants.electronvolt
            parameters.distance = distance
            parameters.detectorPixelSize = pixel * 1e-6
            parameters.beamDiameter = beam
            switch scan.lowercased() {
            case "fermat": parameters.scan = .fermatSpiral(step: scanStep)
            case "raster": parameters.scan = .jitteredRaster(step: scanStep, jitter: 0.1)
            default: throw CommandFailure(message: "simulate: --scan must be fermat or raster", status: ExitStatus.usage)
            }
            parameters.probeModeCount = probeModes
            parameters.extraModePowerFraction = modePower
            parameters.dose = dose > 0 ? dose : nil
            parameters.deadPixelFraction = deadPixels
            if detectorGap { parameters.detectorGapColumns = (frameSize / 2 + frameSize / 8)..<(frameSize / 2 + frameSize / 8 + 3) }
            parameters.seed = seed
            parameters.background = background
            let layout: TranslationLayout
            switch translationLayout.lowercased() {
            case "n3": layout = .framesByAxes
            case "3n": layout = .axesByFrames
            default: throw CommandFailure(message: "simulate: --translation-layout must be n3 or 3n", status: ExitStatus.usage)
            }
            let (dataset, truthModel) = PtychographySimulation.run(parameters)
            try CXIWriter(frameType: .float32, translationLayout: layout).write(dataset, to: output)
            let truthPath = truth ?? OutputPaths.sibling(of: output, suffix: "_truth.h5")
            try TruthWriter().write(truthModel, to: truthPath)
            let pixelSize = dataset.geometry.objectPixelSize
            printNote("""
                Simulated \(frames) frames of \(frameSize)×\(frameSize), object pixel \(String(format: "%.1f", pixelSize.x * 1e9)) nm, \
                beam \(beamDiameter) µm, step \(String(format: "%.2f", scanStep * 1e6)) µm, \
                dose \(dose > 0 ? String(format: "%.3g", dose) : "noiseless") photons/frame.
                Data:  \(output)
                Truth: \(truthPath)
                """)
        }
    }
}

/// Names of files written beside another file.
enum OutputPaths {
    /// `dir/name.ext` → `dir/name<suffix>`.
    static func sibling(of path: String, suffix: String) -> String {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(stem + suffix).path
    }
}
