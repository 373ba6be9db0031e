import Foundation

/// The per-frame hot loop of `PtychographySimulation`: exit waves, FFT, incoherent sum, shift, noise,
/// mask. Frames are independent, so they are spread over the cores; each worker owns one exit-wave
/// buffer (no allocation per frame) and frame j's photon noise comes from its own stream seeded by
/// (seed, j), so the data do not depend on the number of threads or the order frames are run in.
struct FarFieldSimulator: Sendable {
    /// `[k, ny, nx]`, already in the data's scale.
    let probe: ComplexArray
    let object: ComplexArray
    let placement: ObjectPlacement
    /// `[ny, nx]`, 1 = good, centred frame.
    let mask: RealArray
    let addsPhotonNoise: Bool
    let seed: UInt64
    /// `[ny, nx]`, centred: expected background counts added to every frame before the noise.
    var background: RealArray? = nil

    /// Fills `intensities` (`[N, ny, nx]`, centred) with the simulated counts.
    func simulate(into intensities: RealArray) {
        let height = probe.shape[1], width = probe.shape[2]
        let frameCount = intensities.shape[0]
        // FFTW_ESTIMATE picks the same algorithm every run; a measured plan may not, and then the data
        // would differ in the last bits between runs.
        let plan = FFTPlan2D(height: height, width: width, effort: .estimate)
        let workerCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, frameCount))
        let exitWaves = (0..<workerCount).map { _ in ComplexArray(shape: [height, width]) }
        DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
            for frame in stride(from: worker, to: frameCount, by: workerCount) {
                simulateFrame(frame, into: intensities.slice(frame), exitWave: exitWaves[worker].pointer, plan: plan)
            }
        }
    }

    private func simulateFrame(_ frame: Int, into counts: UnsafeMutablePointer<Float>,
                               exitWave: UnsafeMutablePointer<Float>, plan: FFTPlan2D) {
        let modeCount = probe.shape[0], height = probe.shape[1], width = probe.shape[2]
        let objectWidth = placement.objectWidth
        let patch = object.pointer + 2 * (placement.rows[frame] * objectWidth + placement.columns[frame])
        // Unitary DFT: |F ψ|² / (ny·nx) with F FFTW's unnormalised forward transform.
        let unitaryScale = 1 / Float(height * width)
        for mode in 0..<modeCount {
            let modeValues = probe.slice(mode)
            for row in 0..<height {
                let objectRow = patch + 2 * row * objectWidth
                let probeRow = modeValues + 2 * row * width
                let waveRow = exitWave + 2 * row * width
                for column in 0..<width {
                    let pr = probeRow[2 * column], pi = probeRow[2 * column + 1]
                    let or = objectRow[2 * column], oi = objectRow[2 * column + 1]
                    waveRow[2 * column] = pr * or - pi * oi
                    waveRow[2 * column + 1] = pr * oi + pi * or
                }
            }
            plan.forward(exitWave)
            // Write straight to the shifted pixel: zero frequency (FFTW's [0, 0]) lands on [ny/2, nx/2].
            for row in 0..<height {
                let shiftedRow = counts + ((row + height / 2) % height) * width
                let waveRow = exitWave + 2 * row * width
                for column in 0..<width {
                    let re = waveRow[2 * column], im = waveRow[2 * column + 1]
                    let power = (re * re + im * im) * unitaryScale
                    let target = (column + width / 2) % width
                    shiftedRow[target] = mode == 0 ? power : shiftedRow[target] + power
                }
            }
        }

        if let background {
            for pixel in 0..<(height * width) { counts[pixel] += background.storage[pixel] }
        }
        var noise = RandomSource(seed: SimulationRandomStream.photonNoise.seed(base: seed, index: frame))
        let good = mask.pointer
        for pixel in 0..<(height * width) {
            if good[pixel] <= 0 {
                counts[pixel] = 0
            } else if addsPhotonNoise {
                counts[pixel] = Float(noise.poisson(Double(counts[pixel])))
            }
        }
    }
}
