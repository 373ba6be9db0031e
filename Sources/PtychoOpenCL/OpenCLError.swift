import COpenCL

/// Why the OpenCL path could not run, as one line a user can act on.
public enum OpenCLError: Error, CustomStringConvertible, Equatable {
    /// No ICD loader, or no platform/device registered with it.
    case noDevice(String)
    /// An OpenCL call failed: what was being done and the status code's name.
    case call(String, status: Int32)
    /// A kernel did not compile: the device and the compiler's log.
    case build(device: String, log: String)
    /// VkFFT refused the plan.
    case fft(String, code: Int32)
    /// The reconstruction needs more device memory than the device has.
    case memory(device: String, needed: Int, available: Int)
    /// The plan uses an engine or option the OpenCL backend does not implement.
    case unsupported(String)

    public var description: String {
        switch self {
        case .noDevice(let why): return "no OpenCL device: \(why)"
        case .call(let what, let status): return "OpenCL error while \(what): \(Self.statusName(status)) (\(status))"
        case .build(let device, let log): return "OpenCL kernels failed to build on \(device): \(log)"
        case .fft(let what, let code): return "VkFFT error \(code) while \(what) (VkFFTResult in vkFFT.h)"
        case .memory(let device, let needed, let available):
            return "the reconstruction needs \(needed >> 20) MiB of device memory but \(device) has \(available >> 20) MiB"
        case .unsupported(let what): return what
        }
    }

    /// The names of the status codes a user is likely to meet.
    static func statusName(_ status: Int32) -> String {
        switch status {
        case CL_DEVICE_NOT_FOUND: return "CL_DEVICE_NOT_FOUND"
        case CL_DEVICE_NOT_AVAILABLE: return "CL_DEVICE_NOT_AVAILABLE"
        case CL_MEM_OBJECT_ALLOCATION_FAILURE: return "CL_MEM_OBJECT_ALLOCATION_FAILURE"
        case CL_OUT_OF_RESOURCES: return "CL_OUT_OF_RESOURCES"
        case CL_OUT_OF_HOST_MEMORY: return "CL_OUT_OF_HOST_MEMORY"
        case CL_BUILD_PROGRAM_FAILURE: return "CL_BUILD_PROGRAM_FAILURE"
        case CL_INVALID_VALUE: return "CL_INVALID_VALUE"
        case CL_INVALID_BUFFER_SIZE: return "CL_INVALID_BUFFER_SIZE"
        case CL_INVALID_KERNEL_ARGS: return "CL_INVALID_KERNEL_ARGS"
        case CL_INVALID_WORK_GROUP_SIZE: return "CL_INVALID_WORK_GROUP_SIZE"
        case CL_INVALID_GLOBAL_WORK_SIZE: return "CL_INVALID_GLOBAL_WORK_SIZE"
        case -1001: return "CL_PLATFORM_NOT_FOUND_KHR (no OpenCL driver registered in /etc/OpenCL/vendors)"
        default: return "OpenCL status"
        }
    }
}

/// Throws `OpenCLError.call` unless `status` is CL_SUCCESS.
@inline(__always)
func check(_ status: cl_int, _ what: @autoclosure () -> String) throws {
    if status != CL_SUCCESS { throw OpenCLError.call(what(), status: status) }
}
