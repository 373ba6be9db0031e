import Foundation
import PtychoCore
import PtychoOpenCL

/// Where `ptychite reconstruct` runs: `--device` / the configuration's `device` (or PTYCHITE_DEVICE when
/// the configuration says `auto`). `auto` takes the first OpenCL GPU if there is one and the plan runs
/// there, else the CPU, with a warning saying why when a GPU was skipped or failed; an explicit OpenCL
/// choice that cannot be honoured is an error, never a silent fall-back.
enum ComputeDeviceChoice {
    struct OpenCLChoice {
        let backend: OpenCLBackend
        var description: String {
            let device = backend.context.device
            return "opencl: \(device.name) (\(device.platformName), VkFFT, \(backend.batchSize) frames per batch)"
        }
    }

    static func requested(_ configuration: ReconstructionConfiguration) -> DeviceSelection {
        let configured = configuration.device
        if configured.lowercased() == "auto", let environment = ProcessInfo.processInfo.environment["PTYCHITE_DEVICE"],
           !environment.isEmpty {
            return DeviceSelection(environment)
        }
        return DeviceSelection(configured)
    }

    /// The OpenCL device the configuration asks for and the plan can run on, or nil for the CPU path.
    /// Decided before any work (reading frames, the probe trial): an explicit device that does not exist
    /// or cannot run the plan is a usage error right away; `auto` warns and takes the CPU.
    static func openCLDevice(for configuration: ReconstructionConfiguration, plan: EnginePlan,
                             modes: Int) throws -> OpenCLDevice? {
        let selection = requested(configuration)
        guard selection != .cpu else { return nil }
        let device: OpenCLDevice?
        do { device = try selection.resolve(among: OpenCLDevice.all()) } catch {
            try giveUp(configuration, "\(error)")
            return nil
        }
        guard let device else { return nil }
        if let reason = OpenCLBackend.unsupportedFeatures(of: configuration, plan: plan, modes: modes) {
            try giveUp(configuration, "\(device.name): \(reason)")
            return nil
        }
        return device
    }

    /// `device` if a reconstruction of these sizes fits its memory (`OpenCLBackend.checkMemory`), checked from
    /// the input's header before any frame is read; otherwise nil after a warning (`auto`: the CPU path
    /// runs), or, for an explicit device, the usage error naming what it needs.
    static func checkMemory(on device: OpenCLDevice, for configuration: ReconstructionConfiguration, frames: Int,
                            shape: FrameShape, objectPixels: Int, likelihood: Bool) throws -> OpenCLDevice? {
        do {
            _ = try OpenCLBackend.checkMemory(on: device, frames: frames, shape: shape, objectPixels: objectPixels,
                                              likelihood: likelihood)
            return device
        } catch {
            try giveUp(configuration, "\(error)")
            return nil
        }
    }

    /// The OpenCL backend on `device` for the model and data, or nil (after a warning) when `auto` cannot
    /// set it up (memory, kernel build): the CPU path then runs.
    static func openCLBackend(on device: OpenCLDevice, for configuration: ReconstructionConfiguration, plan: EnginePlan,
                              model: ReconstructionModel, data: MeasuredData) throws -> OpenCLChoice? {
        do {
            let context = try OpenCLContext(device: device)
            let likelihood = plan.stages.contains { $0.engine == .maximumLikelihood }
            return OpenCLChoice(backend: try OpenCLBackend(model: model, data: data, context: context,
                                                           reservingLikelihood: likelihood))
        } catch {
            try giveUp(configuration, "\(error)")
            return nil
        }
    }

    /// `auto`: a warning (the caller then takes the CPU path); an explicit device: the usage error naming it.
    private static func giveUp(_ configuration: ReconstructionConfiguration, _ reason: String) throws {
        guard requested(configuration) != .automatic else {
            printNote("ptychite: warning: \(reason); running on the CPU")
            return
        }
        throw CommandFailure(message: "--device \(configuration.device == "auto" ? "(PTYCHITE_DEVICE)" : configuration.device): \(reason)",
                             status: ExitStatus.usage)
    }

    /// `ptychite info --devices`: every OpenCL device, and what `auto` picks.
    static func describeDevices() -> [String] {
        let devices = OpenCLDevice.all()
        var lines = ["CPU: \(ProcessInfo.processInfo.activeProcessorCount) threads (FFTW)"]
        if devices.isEmpty {
            lines.append("OpenCL: no platform found (no ICD file in /etc/OpenCL/vendors, or no driver)")
        } else {
            lines += devices.map { "OpenCL \($0)" }
        }
        let automatic = (try? DeviceSelection.automatic.resolve(among: devices)) ?? nil
        lines.append("--device auto uses: " + (automatic.map { "OpenCL [\($0.index)] \($0.name)" } ?? "the CPU (no OpenCL GPU)"))
        return lines
    }
}
