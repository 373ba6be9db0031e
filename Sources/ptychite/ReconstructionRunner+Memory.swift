import Foundation
import PtychoCore
import PtychoOpenCL

/// The array sizes a run is checked against: known from the input's header, before any frame is read.
struct RunSizes {
    let frameCount: Int
    let frameHeight: Int
    let frameWidth: Int
    let modes: Int
    let placement: ObjectPlacement
}

/// Where a run goes once its memory is checked: the OpenCL device (nil: the CPU) and, on the CPU, whether an
/// ML stage keeps every frame's exit-wave gradient (`CPUBackend.keepsExitWaveGradients`).
struct MemoryDecision {
    var device: OpenCLDevice?
    var keepsExitWaveGradients: Bool
}

extension ReconstructionRunner {
    /// The memory checks, from the sizes alone. On a device, the device's own limit (an explicit device too
    /// small for the run is refused; `auto` warns and takes the CPU), and the host holds only what
    /// `MemoryEstimate.hostSideOfDeviceRun` counts. On the CPU, its estimate: ML keeps every frame's exit-wave
    /// gradient only when the estimate with them fits; otherwise it transforms one more wave per frame-mode
    /// instead, which is said on stderr (results then differ from a run that keeps them by rounding only).
    func checkMemory(_ sizes: RunSizes, device: OpenCLDevice?) throws -> MemoryDecision {
        let placement = sizes.placement
        if let device, let device = try ComputeDeviceChoice.checkMemory(
            on: device, for: configuration, frames: sizes.frameCount,
            shape: FrameShape(height: sizes.frameHeight, width: sizes.frameWidth, modes: sizes.modes),
            objectPixels: placement.objectHeight * placement.objectWidth, likelihood: plan.usesLikelihood) {
            try checkHostMemory(MemoryEstimate.hostSideOfDeviceRun(
                frameCount: sizes.frameCount, frameHeight: sizes.frameHeight, frameWidth: sizes.frameWidth,
                modes: sizes.modes, objectHeight: placement.objectHeight, objectWidth: placement.objectWidth,
                storesExitWaves: plan.usesExitWaves, likelihood: plan.usesLikelihood, momentum: plan.usesMomentum))
            return MemoryDecision(device: device, keepsExitWaveGradients: true)
        }
        func estimate(keepingGradients: Bool) -> MemoryEstimate {
            MemoryEstimate(frameCount: sizes.frameCount, frameHeight: sizes.frameHeight, frameWidth: sizes.frameWidth,
                           modes: sizes.modes, objectHeight: placement.objectHeight, objectWidth: placement.objectWidth,
                           threads: threads, storesExitWaves: plan.usesExitWaves, likelihood: plan.usesLikelihood,
                           keepsExitWaveGradients: keepingGradients, momentum: plan.usesMomentum)
        }
        let full = estimate(keepingGradients: true), lean = estimate(keepingGradients: false)
        guard let limit = memoryLimit, full.totalBytes > limit else {
            return MemoryDecision(device: nil, keepsExitWaveGradients: true)
        }
        guard plan.usesLikelihood && lean.totalBytes <= limit else { throw tooLarge(lean, limit: limit) }
        printNote("ptychite: note: keeping every frame's exit-wave gradient for ML would need \(MemoryEstimate.format(full.totalBytes)) "
                  + "(\(memoryLimitSource): \(MemoryEstimate.format(limit))); ML transforms one more wave per frame instead (slower)")
        return MemoryDecision(device: nil, keepsExitWaveGradients: false)
    }

    /// `--max-memory`, else the memory available to this process (nil when unknown: no check).
    private var memoryLimit: Int64? { configuration.maxMemory ?? MemoryEstimate.availableBytes() }

    private var memoryLimitSource: String { configuration.maxMemory != nil ? "--max-memory" : "available memory" }

    /// Refuses a run whose estimated peak memory exceeds the limit, in one line naming what it needs.
    private func checkHostMemory(_ estimate: MemoryEstimate) throws {
        guard let limit = memoryLimit, estimate.totalBytes > limit else { return }
        throw tooLarge(estimate, limit: limit)
    }

    private func tooLarge(_ estimate: MemoryEstimate, limit: Int64) -> CommandFailure {
        CommandFailure(message: "\(configuration.input!): the reconstruction needs \(estimate) but the "
                       + "\(memoryLimitSource) is \(MemoryEstimate.format(limit)); use fewer frames, fewer probe modes, "
                       + "or an engine plan without DM", status: ExitStatus.memory)
    }
}
