// background: the CPU backend's side of the incoherent background (see `IncoherentBackground`).
extension CPUBackend {
    public func enableBackground() {
        guard background == nil else { return }
        background = IncoherentBackground(data: data)
        for worker in workers {
            worker.backgroundRatios = RealArray(shape: [shape.height, shape.width])
            worker.backgroundFrames = 0
        }
    }

    /// Adds the workers' ratio sums into worker 0's, refines B from them and clears them all.
    public func refineBackground() {
        guard let background, let total = workers[0].backgroundRatios else { return }
        var frames = workers[0].backgroundFrames
        for other in workers.dropFirst() {
            guard let ratios = other.backgroundRatios else { continue }
            for i in 0..<total.count { total.storage[i] += ratios.storage[i] }
            frames += other.backgroundFrames
        }
        background.refine(ratioSum: total.pointer, frames: frames)
        discardBackgroundRatios()
    }

    public func discardBackgroundRatios() {
        for worker in workers {
            worker.backgroundRatios?.fill(0)
            worker.backgroundFrames = 0
        }
    }
}
