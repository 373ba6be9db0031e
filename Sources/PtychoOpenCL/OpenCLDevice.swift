import Foundation
import COpenCL

/// One OpenCL device as the ICD loader reports it.
public struct OpenCLDevice: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case gpu, cpu, accelerator, other }

    public let platformName: String
    public let name: String
    public let vendor: String
    public let kind: Kind
    public let globalMemory: Int
    public let maximumAllocation: Int
    public let computeUnits: Int
    /// Index among all devices of all platforms, in the loader's order (stable for one machine).
    public let index: Int
    let platformID: UncheckedHandle<cl_platform_id>
    let deviceID: UncheckedHandle<cl_device_id>

    public var description: String {
        "[\(index)] \(name) (\(kind.rawValue), \(platformName); \(globalMemory >> 20) MiB, \(computeUnits) compute units)"
    }

    /// Every device of every platform; an empty list when the loader finds no platform (no ICD file).
    public static func all() -> [OpenCLDevice] {
        var platformCount: cl_uint = 0
        guard clGetPlatformIDs(0, nil, &platformCount) == CL_SUCCESS, platformCount > 0 else { return [] }
        var platforms = [cl_platform_id?](repeating: nil, count: Int(platformCount))
        guard clGetPlatformIDs(platformCount, &platforms, nil) == CL_SUCCESS else { return [] }
        var devices: [OpenCLDevice] = []
        for case let platform? in platforms {
            let platformName = stringInfo { clGetPlatformInfo(platform, cl_platform_info(CL_PLATFORM_NAME), $0, $1, $2) }
            var deviceCount: cl_uint = 0
            guard clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &deviceCount) == CL_SUCCESS,
                  deviceCount > 0 else { continue }
            var ids = [cl_device_id?](repeating: nil, count: Int(deviceCount))
            guard clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), deviceCount, &ids, nil) == CL_SUCCESS
            else { continue }
            for case let id? in ids {
                let type: cl_device_type = scalarInfo(id, CL_DEVICE_TYPE, 0)
                let kind: Kind = type & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 ? .gpu
                    : type & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 ? .cpu
                    : type & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 ? .accelerator : .other
                devices.append(OpenCLDevice(
                    platformName: platformName,
                    name: stringInfo { clGetDeviceInfo(id, cl_device_info(CL_DEVICE_NAME), $0, $1, $2) },
                    vendor: stringInfo { clGetDeviceInfo(id, cl_device_info(CL_DEVICE_VENDOR), $0, $1, $2) },
                    kind: kind,
                    globalMemory: Int(scalarInfo(id, CL_DEVICE_GLOBAL_MEM_SIZE, cl_ulong(0))),
                    maximumAllocation: Int(scalarInfo(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, cl_ulong(0))),
                    computeUnits: Int(scalarInfo(id, CL_DEVICE_MAX_COMPUTE_UNITS, cl_uint(0))),
                    index: devices.count, platformID: UncheckedHandle(platform), deviceID: UncheckedHandle(id)))
            }
        }
        return devices
    }

    private static func stringInfo(_ query: (Int, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?) -> cl_int) -> String {
        var size = 0
        guard query(0, nil, &size) == CL_SUCCESS, size > 0 else { return "" }
        var bytes = [CChar](repeating: 0, count: size + 1)
        guard query(size, &bytes, nil) == CL_SUCCESS else { return "" }
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingCharacters(in: .whitespaces)
    }

    private static func scalarInfo<T: BitwiseCopyable>(_ id: cl_device_id, _ parameter: Int32, _ zero: T) -> T {
        var value = zero
        _ = clGetDeviceInfo(id, cl_device_info(parameter), MemoryLayout<T>.size, &value, nil)
        return value
    }
}

/// Which engine backend `--device` / PTYCHITE_DEVICE asks for.
public enum DeviceSelection: Equatable, Sendable {
    /// A GPU when one is present, else the CPU path.
    case automatic
    case cpu
    /// The first OpenCL device, GPUs first.
    case openCL
    /// The first OpenCL device whose name, vendor or platform contains the text (case-insensitive), or
    /// whose index it is.
    case matching(String)

    public init(_ text: String) {
        switch text.lowercased() {
        case "", "auto": self = .automatic
        case "cpu": self = .cpu
        case "opencl", "gpu": self = .openCL
        default: self = .matching(text)
        }
    }

    /// The OpenCL device this selection names among `devices`, or nil for the CPU path. Throws when an
    /// OpenCL device was asked for explicitly and none fits.
    public func resolve(among devices: [OpenCLDevice]) throws -> OpenCLDevice? {
        let gpusFirst = devices.filter { $0.kind == .gpu } + devices.filter { $0.kind != .gpu }
        switch self {
        case .cpu: return nil
        case .automatic: return devices.first { $0.kind == .gpu }
        case .openCL:
            guard let device = gpusFirst.first else {
                throw OpenCLError.noDevice("no platform or device found (is an ICD installed in /etc/OpenCL/vendors?)")
            }
            return device
        case .matching(let text):
            if let index = Int(text), let device = devices.first(where: { $0.index == index }) { return device }
            let needle = text.lowercased()
            guard let device = gpusFirst.first(where: {
                [$0.name, $0.vendor, $0.platformName].contains { $0.lowercased().contains(needle) }
            }) else {
                let listed = devices.isEmpty ? "none" : devices.map(\.description).joined(separator: "; ")
                throw OpenCLError.noDevice("no device matches '\(text)' (devices: \(listed))")
            }
            return device
        }
    }
}

/// An OpenCL handle (an opaque pointer) that may cross threads: OpenCL objects are thread-safe to
/// reference, and each owner here serialises its own use.
struct UncheckedHandle<Handle>: @unchecked Sendable {
    let value: Handle
    init(_ value: Handle) { self.value = value }
}
