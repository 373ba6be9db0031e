import Foundation

/// Builds the probe a reconstruction starts from.
///
/// The default is the focused-aperture model sized from the data: the far-field disk radius is measured
/// on the mean diffraction pattern, and the beam size at the sample — which the data cannot show when the
/// beam is defocused — is chosen by trial: a few ePIE iterations on the central frames from each
/// candidate diameter, keeping the one with the lowest Fourier error (the cheap automatic alternative in
/// `shared/notes/algorithms.md`, "Initial guesses").
public enum InitialProbe {
    /// Beam diameters tried, in scan steps (real beams range from about 2 to 7 steps across).
    public static let candidateDiametersInSteps: [Double] = [1.5, 2, 3, 4, 5.5, 7]

    /// Σ|P|² that makes the model's frame totals match the data's: the mean frame total over good pixels,
    /// scaled to the whole frame.
    public static func targetPower(_ dataset: DiffractionDataset) -> Double {
        let good = max(1, dataset.goodPixelCount)
        let scale = Double(dataset.frameHeight * dataset.frameWidth) / Double(good)
        return max(dataset.meanFrameIntensity() * scale, 1e-12)
    }

    /// Far-field disk radius in detector pixels, from the mean of the (centred) frames.
    public static func apertureRadius(_ dataset: DiffractionDataset) -> Double {
        let pixels = dataset.frameHeight * dataset.frameWidth
        let mean = RealArray(shape: [dataset.frameHeight, dataset.frameWidth])
        for j in 0..<dataset.frameCount {
            let frame = dataset.intensities.slice(j)
            for r in 0..<pixels { mean.storage[r] += frame[r] }
        }
        return ApertureProbe.estimateApertureRadius(meanPattern: mean.pointer, height: dataset.frameHeight,
                                                    width: dataset.frameWidth, mask: dataset.mask.pointer)
    }

    /// `[modes, ny, nx]`: the aperture model of `beamDiameter` as mode 0, extra modes at `modePower` each.
    public static func aperture(for dataset: DiffractionDataset, beamDiameter: Double, modes: Int,
                                modePower: Double, seed: UInt64, apertureRadius: Double? = nil) -> ComplexArray {
        let radius = apertureRadius ?? Self.apertureRadius(dataset)
        let mode0 = ApertureProbe.make(geometry: dataset.geometry, apertureRadius: radius,
                                       beamDiameter: beamDiameter, totalPower: targetPower(dataset))
        return withModes(mode0, modes: modes, modePower: modePower, seed: seed)
    }

    /// Gives `probe` (`[ny, nx]` or `[k, ny, nx]`) exactly `modes` modes: extra ones are seeded from mode 0,
    /// surplus ones dropped; the total power is kept.
    public static func withModes(_ probe: ComplexArray, modes: Int, modePower: Double, seed: UInt64) -> ComplexArray {
        let ny = probe.shape[probe.shape.count - 2], nx = probe.shape[probe.shape.count - 1]
        let existing = probe.shape.count == 3 ? probe.shape[0] : 1
        if existing == modes {
            let copy = ComplexArray(shape: [modes, ny, nx])
            copy.pointer.update(from: probe.pointer, count: 2 * copy.count)
            return copy
        }
        let mode0 = ComplexArray(shape: [ny, nx])
        mode0.pointer.update(from: probe.pointer, count: 2 * ny * nx)
        if modes == 1 { return withModes(mode0, modes: 1, modePower: modePower, seed: seed) }
        if existing > 1 && existing > modes {
            let copy = ComplexArray(shape: [modes, ny, nx])
            copy.pointer.update(from: probe.pointer, count: 2 * copy.count)
            return copy
        }
        var random = RandomSource(seed: seed)
        let fraction = min(modePower, 0.9 / Double(modes - 1))
        return ApertureProbe.addIncoherentModes(to: mode0, count: modes - 1, powerFraction: fraction, rng: &random)
    }

    /// Tries each candidate beam diameter for a few ePIE iterations on up to `frameLimit` central frames and
    /// returns the one with the lowest Fourier error, with every candidate's error (for the log) and the
    /// far-field disk radius it measured (pass it on to `aperture(for:…)` rather than measure it again).
    public static func chooseBeamDiameter(for dataset: DiffractionDataset, threads: Int, seed: UInt64,
                                          frameLimit: Int = 200, iterations: Int = 4)
        -> (diameter: Double, trials: [(diameter: Double, error: Double)], apertureRadius: Double) {
        let step = dataset.positions.typicalStep()
        let pixel = dataset.geometry.objectPixelSize
        let fallbackStep = Double(min(dataset.frameHeight, dataset.frameWidth)) / 8 * min(pixel.y, pixel.x)
        let scanStep = step > 0 ? step : fallbackStep
        let radius = apertureRadius(dataset)
        let subset = centralSubset(of: dataset, limit: frameLimit)
        var trials: [(Double, Double)] = []
        for multiple in candidateDiametersInSteps {
            let diameter = multiple * scanStep
            // The subset's intensities are consumed by MeasuredData, so each trial gets its own copy.
            let trialData = copy(subset)
            let probe = aperture(for: trialData, beamDiameter: diameter, modes: 1, modePower: 0.05, seed: seed,
                                 apertureRadius: radius)
            let placement = ObjectPlacement(positions: trialData.positions, pixelSize: pixel,
                                            frameHeight: trialData.frameHeight, frameWidth: trialData.frameWidth)
            let object = ComplexArray(shape: [placement.objectHeight, placement.objectWidth])
            object.fill(re: 1)
            let model = ReconstructionModel(object: object, probe: probe, placement: placement)
            var configuration = ReconstructionConfiguration()
            configuration.seed = seed
            configuration.probeUpdateStart = iterations   // the candidate probe is judged almost as given
            let measured = MeasuredData(consuming: trialData, threads: threads)
            let reconstruction = Reconstruction(model: model, data: measured, configuration: configuration,
                                                threads: threads, planningEffort: .estimate)
            let plan = try! EnginePlan(stages: [EngineStage(engine: .ePIE, iterations: iterations)])
            let error = reconstruction.run(plan: plan).last?.fourierError ?? .infinity
            trials.append((diameter, error.isFinite ? error : .infinity))
        }
        let best = trials.min { $0.1 < $1.1 }!
        return (best.0, trials.map { (diameter: $0.0, error: $0.1) }, radius)
    }

    /// Up to `limit` frames nearest the scan centre (a compact patch of the scan, so the overlap is kept).
    static func centralSubset(of dataset: DiffractionDataset, limit: Int) -> DiffractionDataset {
        let n = dataset.frameCount
        guard n > limit else { return copy(dataset) }
        let cy = dataset.positions.y.reduce(0, +) / Double(n), cx = dataset.positions.x.reduce(0, +) / Double(n)
        let chosen = (0..<n).sorted {
            let a = (dataset.positions.y[$0] - cy) * (dataset.positions.y[$0] - cy)
                + (dataset.positions.x[$0] - cx) * (dataset.positions.x[$0] - cx)
            let b = (dataset.positions.y[$1] - cy) * (dataset.positions.y[$1] - cy)
                + (dataset.positions.x[$1] - cx) * (dataset.positions.x[$1] - cx)
            return a < b
        }.prefix(limit).sorted()
        return copy(dataset, frames: Array(chosen))
    }

    static func copy(_ dataset: DiffractionDataset, frames: [Int]? = nil) -> DiffractionDataset {
        let frames = frames ?? Array(0..<dataset.frameCount)
        let pixels = dataset.frameHeight * dataset.frameWidth
        let intensities = RealArray(shape: [frames.count, dataset.frameHeight, dataset.frameWidth])
        for (i, j) in frames.enumerated() {
            intensities.slice(i).update(from: dataset.intensities.slice(j), count: pixels)
        }
        let mask = RealArray(shape: dataset.mask.shape)
        mask.pointer.update(from: dataset.mask.pointer, count: pixels)
        let positions = ScanPositions(y: frames.map { dataset.positions.y[$0] }, x: frames.map { dataset.positions.x[$0] })
        return DiffractionDataset(geometry: dataset.geometry, positions: positions, intensities: intensities,
                                  mask: mask, source: dataset.source)
    }
}
