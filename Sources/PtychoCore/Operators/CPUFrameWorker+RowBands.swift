/// The sequential sweeps' element-wise passes split by bands of rows over a `RowBandTeam`: the exit wave
/// P·O_j, the exact modulus projection and the PIE-family update (with max |O|² over the patch first).
/// Each band works on its own rows of the frame, the probe and the object patch, with its own scratch rows;
/// what the bands return (metric sums, maxima) is combined in band order, so the model is the same, bit for
/// bit, as without a team (a maximum does not depend on the order), and the metrics differ only by the
/// rounding of their sums.
extension CPUFrameWorker: RowBandPerformer {
    func perform(_ job: RowBandJob, band: Int) {
        let team = rowBandTeam!  // jobs come only from the team of a running sequential sweep
        let rows = RowBandTeam.rows(of: band, bands: team.bands, height: shape.height)
        let scratch = band == 0 ? kernelScratch : bandScratch[band - 1]
        switch job {
        case .exitWave(let j):
            // max |O|² of the band too, while its patch rows are in cache: the PIE update needs it, and one
            // hand-off between the threads fewer per frame is worth more than the extra read.
            let patch = model.patch(j)
            FrameKernels.combineExitWaves(probe: model.probe.pointer, patch: patch, exitWaves: nil,
                                          weight: 1, output: self.scratch.pointer, shape: shape, rows: rows)
            bandObjectMaxima[band] = FrameKernels.maximumObjectPower(patch: patch, shape: shape, scratch: scratch,
                                                                     rows: rows)
        case .modulus(let j):
            var sums = FourierMetrics()
            FrameKernels.modulusProjection(farField: self.scratch.pointer,
                                           amplitudes: data.amplitudes.pointer + j * shape.pixels,
                                           mask: data.mask.pointer, shape: shape, noiseBound: 0, scratch: scratch,
                                           metrics: &sums,
                                           background: backend.background.map { UnsafePointer($0.values.pointer) },
                                           backgroundRatios: backgroundRatios?.pointer, rows: rows)
            bandMetrics[band] = sums
        case .pieUpdate(let j, let steps):
            bandMaxima[band] = FrameKernels.pieUpdate(
                projected: self.scratch.pointer, probe: model.probe.pointer, patch: model.patch(j), alpha: steps.alpha,
                beta: steps.beta, objectRegularisation: steps.objectRegularisation,
                probeRegularisation: steps.probeRegularisation, maxProbePower: steps.maxProbePower, shape: shape,
                scratch: scratch, maxObjectPower: steps.maxObjectPower, rows: rows)
        }
    }

    func runBands(_ team: RowBandTeam, _ job: RowBandJob) {
        if rowBandsAlone { team.runAlone(job) } else { team.run(job) }
    }

    /// The largest of the bands' maxima in `maxima`.
    func largestBandMaximum(_ maxima: UnsafeMutablePointer<Float>, _ team: RowBandTeam) -> Float {
        (0..<team.bands).reduce(0) { max($0, maxima[$1]) }
    }

    /// The bands' metric sums of the last modulus job, added in band order.
    func addBandMetrics(_ team: RowBandTeam) {
        for band in 0..<team.bands { metrics = metrics + bandMetrics[band] }
    }
}
