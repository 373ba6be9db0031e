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

    /// The OpenCL backend the configuration asks for, or nil for the CPU path.
    static func openCLBackend(for configuration: ReconstructionConfiguration, plan: EnginePlan,
                              model: ReconstructionModel, data: MeasuredData) throws -> OpenCLChoice? {
        let selection = requested(configuration)
        guard selection != .cpu else { return nil }
        let automatic = selection == .automatic
        func give(_ reason: String) throws -> OpenCLChoice? {
            if automatic {
                printNote("ptychite: warning: \(reason); running on the CPU")
                return nil
            }
            throw CommandFailure(message: "--device \(configuration.device == "auto" ? "(PTYCHITE_DEVICE)" : configuration.device): \(reason)",
                                 status: ExitStatus.usage)
        }
        let device: OpenCLDevice?
        do { device = try selection.resolve(among: OpenCLDevice.all()) } catch { return try give("\(error)") }
        guard let device else { return nil }
        if let reason = OpenCLBackend.unsupportedFeatures(of: configuration, plan: plan, modes: model.modes) {
            return try give("\(device.name): \(reason)")
        }
        do {
            let context = try OpenCLContext(device: device)
            let likelihood = plan.stages.contains { $0.engine == .maximumLikelihood }
            return OpenCLChoice(backend: try OpenCLBackend(model: model, data: data, context: context,
                                                           reservingLikelihood: likelihood))
        } catch {
            return try give("\(error)")
        }
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
