import Foundation

// Probe-mode orthogonalisation (issue 3, item 4) on the CPU backend.
extension CPUBackend {
    /// See `ReconstructionBackend.orthogonaliseProbeModes`. The probe is transformed through the
    /// orthogonaliser's scratch; DM's stored exit waves, frame by frame across the workers, through each
    /// worker's own scratch (`[K, ny, nx]`, exactly one frame's modes), so nothing is allocated.
    public func orthogonaliseProbeModes() {
        let orthogonaliser = modeOrthogonaliser
        guard orthogonaliser.orthogonalise(model.probe.pointer) else { return }
        // ψ_jk = P_k·O_j holds mode by mode only if ψ gets the same (frame-independent) change of basis;
        // DM's update is then unchanged, because every step is linear in the modes or depends on them
        // only through Σ_k|·|², which the unitary change of basis keeps.
        guard let waves = exitWaves else { return }
        let count = frameCount, chunks = workers.count
        let box = UncheckedBox((workers, waves, orthogonaliser))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let (workers, waves, orthogonaliser) = box.value
            let output = workers[chunk].scratch.pointer
            for j in (chunk * count / chunks)..<((chunk + 1) * count / chunks) {
                orthogonaliser.transform(waves.slice(j), through: output)
            }
        }
    }
}
