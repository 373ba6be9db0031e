import Foundation

/// Peak memory a CPU reconstruction needs (or, `hostSideOfDeviceRun`, what the host holds while a device
/// runs it), computed from the array sizes before anything is allocated.
///
/// Counts the arrays the algorithm cannot do without (data, object, probe, the projection engines' exit
/// waves, ML's conjugate-gradient arrays, mPIE's momentum buffers) and the per-thread working set
/// (scratch waves and overlap sums); FFTW's plans and Swift's runtime are covered by a fixed allowance.
public struct MemoryEstimate: Sendable, Equatable, CustomStringConvertible {
    public var dataBytes: Int64
    public var exitWaveBytes: Int64
    public var modelBytes: Int64
    public var workingBytes: Int64
    public static let runtimeAllowance: Int64 = 64 << 20

    /// `likelihood`: an ML stage (gradient, previous gradient and search direction of object and probe,
    /// every frame's far field and, with `keepsExitWaveGradients`, every frame's exit-wave gradient; per
    /// thread one search wave, or two without kept gradients); `momentum`: an mPIE stage (velocity and
    /// snapshot of object and probe).
    public init(frameCount: Int, frameHeight: Int, frameWidth: Int, modes: Int, objectHeight: Int,
                objectWidth: Int, threads: Int, storesExitWaves: Bool, likelihood: Bool = false,
                keepsExitWaveGradients: Bool = true, momentum: Bool = false) {
        let sizes = ArraySizes(frameCount: frameCount, frameHeight: frameHeight, frameWidth: frameWidth, modes: modes,
                               objectHeight: objectHeight, objectWidth: objectWidth)
        let (frame, object, probe) = (sizes.frame, sizes.object, sizes.probe)
        dataBytes = sizes.data
        exitWaveBytes = storesExitWaves ? sizes.exitWaves : 0
        // Object + illumination, probe modes; a stage's own global arrays (stages run one at a time).
        modelBytes = sizes.model
            + max(likelihood ? 3 * (object * 8 + probe) + Int64(keepsExitWaveGradients ? 2 : 1) * sizes.exitWaves : 0,
                  momentum ? 2 * (object * 8 + probe) : 0)
        // Per thread: scratch waves, probe power; overlap sums (object numerator + denominator, probe sums);
        // ML's search waves.
        let perThread = probe + frame * 4
            + (storesExitWaves || likelihood ? object * 12 + probe + frame * 4 : 0)
            + (likelihood ? (keepsExitWaveGradients ? 1 : 2) * probe : 0)
        // Once: the projection engines' planar copies of object and probe (`PlanarModel`).
        workingBytes = Int64(max(1, threads)) * perThread + (storesExitWaves ? object * 8 + probe + frame * 4 : 0)
    }

    /// What the host holds while a device backend (OpenCL) runs the reconstruction: the measured data and
    /// the model, and the host copies of device state that checkpoints download (the projection engines'
    /// exit waves, ML's conjugate-gradient arrays, mPIE's momentum buffers) and the per-frame metrics; the
    /// frame work, the overlap sums and ML's per-frame arrays stay on the device.
    public static func hostSideOfDeviceRun(frameCount: Int, frameHeight: Int, frameWidth: Int, modes: Int,
                                           objectHeight: Int, objectWidth: Int, storesExitWaves: Bool,
                                           likelihood: Bool = false, momentum: Bool = false) -> MemoryEstimate {
        let sizes = ArraySizes(frameCount: frameCount, frameHeight: frameHeight, frameWidth: frameWidth, modes: modes,
                               objectHeight: objectHeight, objectWidth: objectWidth)
        // ML's four conjugate-gradient arrays, or mPIE's four momentum arrays: two of each model array.
        let carried = likelihood || momentum ? 2 * (sizes.object * 8 + sizes.probe) : 0
        // Metrics, line-search values and position shifts per frame; the background's detector frame.
        return MemoryEstimate(dataBytes: sizes.data, exitWaveBytes: storesExitWaves ? sizes.exitWaves : 0,
                              modelBytes: sizes.model + carried,
                              workingBytes: Int64(frameCount) * 24 + sizes.frame * 4)
    }

    private init(dataBytes: Int64, exitWaveBytes: Int64, modelBytes: Int64, workingBytes: Int64) {
        self.dataBytes = dataBytes
        self.exitWaveBytes = exitWaveBytes
        self.modelBytes = modelBytes
        self.workingBytes = workingBytes
    }

    /// The sizes both estimates start from, bytes (frame, object: pixels).
    private struct ArraySizes {
        let frame: Int64, object: Int64, probe: Int64
        /// Amplitudes and mask.
        let data: Int64
        /// One wave per frame and mode.
        let exitWaves: Int64
        /// Object, illumination and probe modes.
        let model: Int64

        init(frameCount: Int, frameHeight: Int, frameWidth: Int, modes: Int, objectHeight: Int, objectWidth: Int) {
            frame = Int64(frameHeight * frameWidth)
            object = Int64(objectHeight * objectWidth)
            probe = Int64(modes) * frame * 8
            data = Int64(frameCount) * frame * 4 + frame * 4
            exitWaves = Int64(frameCount) * probe
            model = object * 8 + object * 4 + probe
        }
    }

    /// Bytes of the arrays the algorithm itself needs (data, exit waves, object, probe).
    public var arrayBytes: Int64 { dataBytes + exitWaveBytes + modelBytes }
    public var totalBytes: Int64 { arrayBytes + workingBytes + Self.runtimeAllowance }

    public var description: String {
        "\(Self.format(totalBytes)) (data \(Self.format(dataBytes)), exit waves \(Self.format(exitWaveBytes)), "
            + "object and probe \(Self.format(modelBytes)), per-thread work \(Self.format(workingBytes)))"
    }

    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// Memory this process may use: the smaller of MemAvailable and the cgroup limit, when readable.
    public static func availableBytes() -> Int64? {
        var candidates: [Int64] = []
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kib = Int64(line.split(separator: " ").dropFirst().first ?? "") {
            candidates.append(kib * 1024)
        }
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
               let limit = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit < (1 << 60) {
                candidates.append(limit)
            }
        }
        return candidates.min()
    }
}
