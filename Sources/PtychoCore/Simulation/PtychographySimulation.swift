import Foundation

/// Far-field ptychography simulation from first principles, producing a data set in exactly the form the
/// readers hand to the engines plus the known answer.
///
/// Forward model, per position j and probe mode k: exit wave ψ_jk = P_k · O_j with O_j the frame-sized
/// object patch at `ObjectPlacement`'s integer top-left pixel (the placement the reconstructions use, so
/// the truth lines up with them pixel for pixel); far field Ψ_jk = F ψ_jk with F the unitary DFT (FFTW's
/// forward transform / √(ny·nx)); intensity I_j = Σ_k |Ψ_jk|², fft-shifted so the zero frequency sits at
/// `[ny/2, nx/2]`; then Poisson noise, then bad pixels set to 0.
///
/// Scale: the probe is scaled so that the mean over frames of the noiseless totals Σ_r I_j(r) (before
/// masking) equals the dose exactly; by Parseval each noiseless frame total equals Σ_k Σ_r |P_k·O_j|², so
/// the truth's probe and object reproduce the noiseless data without any extra factor.
public enum PtychographySimulation {
    /// Photons per frame of the expected (noiseless) counts when `Parameters.dose` is `nil`.
    public static let noiselessDose = 1e6

    /// Simulates the data set and returns it with the truth (object on the reconstruction grid, probe
    /// modes in the data's scale, true positions).
    public static func run(_ parameters: Parameters) -> (dataset: DiffractionDataset, truth: SimulationTruth) {
        precondition(parameters.frameSize > 1 && parameters.positionCount > 0 && parameters.probeModeCount >= 1,
                     "invalid simulation size")
        let geometry = parameters.geometry
        let size = parameters.frameSize
        let positions = parameters.scan.positions(
            count: parameters.positionCount, seed: SimulationRandomStream.scan.seed(base: parameters.seed))
        let placement = ObjectPlacement(positions: positions, pixelSize: geometry.objectPixelSize,
                                        frameHeight: size, frameWidth: size, margin: parameters.objectMargin)
        let object = parameters.object.render(height: placement.objectHeight, width: placement.objectWidth,
                                              seed: SimulationRandomStream.object.seed(base: parameters.seed))

        let coherentProbe = ApertureProbe.make(geometry: geometry, apertureRadius: parameters.effectiveApertureRadius,
                                               beamDiameter: parameters.beamDiameter,
                                               astigmatism: parameters.astigmatism, totalPower: 1)
        var modeRandom = RandomSource(seed: SimulationRandomStream.probeModes.seed(base: parameters.seed))
        let probe = ApertureProbe.addIncoherentModes(to: coherentProbe, count: parameters.probeModeCount - 1,
                                                     powerFraction: parameters.extraModePowerFraction,
                                                     rng: &modeRandom)

        // Fix the scale before any transform: Parseval gives each frame's total in real space.
        let totals = noiselessFrameTotals(probe: probe, object: object, placement: placement)
        let meanTotal = totals.reduce(0, +) / Double(totals.count)
        precondition(meanTotal > 0, "the probe and object transmit no power")
        let amplitudeScale = Float(((parameters.dose ?? noiselessDose) / meanTotal).squareRoot())
        for index in 0..<(2 * probe.count) { probe.pointer[index] *= amplitudeScale }

        let mask = detectorMask(parameters)
        let intensities = RealArray(shape: [parameters.positionCount, size, size])
        let background = parameters.background > 0
            ? DiffuseBackground.make(level: parameters.background, height: size, width: size) : nil
        FarFieldSimulator(probe: probe, object: object, placement: placement, mask: mask,
                          addsPhotonNoise: parameters.dose != nil, seed: parameters.seed, background: background)
            .simulate(into: intensities)

        let dataset = DiffractionDataset(geometry: geometry, positions: positions, intensities: intensities,
                                         mask: mask, source: "simulation")
        var truth = SimulationTruth(object: object, probe: probe, positions: positions,
                                    pixelSize: geometry.objectPixelSize,
                                    originRow: placement.originRow, originColumn: placement.originColumn)
        truth.background = background
        return (dataset, truth)
    }

    /// Σ_k Σ_r |P_k(r)|²·|O_j(r)|² for every frame j, in double precision.
    static func noiselessFrameTotals(probe: ComplexArray, object: ComplexArray,
                                     placement: ObjectPlacement) -> [Double] {
        let modes = probe.shape[0], height = probe.shape[1], width = probe.shape[2]
        let objectWidth = placement.objectWidth
        var probePower = [Double](repeating: 0, count: height * width)
        for mode in 0..<modes {
            let values = probe.slice(mode)
            for index in 0..<(height * width) {
                probePower[index] += Double(values[2 * index] * values[2 * index] + values[2 * index + 1] * values[2 * index + 1])
            }
        }
        let objectValues = object.pointer
        return (0..<placement.rows.count).map { frame in
            var total = 0.0
            for row in 0..<height {
                let objectRow = objectValues + 2 * ((placement.rows[frame] + row) * objectWidth + placement.columns[frame])
                for column in 0..<width {
                    let re = Double(objectRow[2 * column]), im = Double(objectRow[2 * column + 1])
                    total += probePower[row * width + column] * (re * re + im * im)
                }
            }
            return total
        }
    }
}
