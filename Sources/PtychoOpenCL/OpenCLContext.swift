import Foundation
import COpenCL

/// A context and one in-order command queue on one device, and the programs built for it. Everything
/// enqueued here runs in order, so a pipeline of kernels and FFTs needs no events; `finish` waits.
public final class OpenCLContext: @unchecked Sendable {
    public let device: OpenCLDevice
    let context: cl_context
    let queue: cl_command_queue

    public init(device: OpenCLDevice) throws {
        self.device = device
        var status: cl_int = 0
        var deviceID: cl_device_id? = device.deviceID.value
        guard let context = clCreateContext(nil, 1, &deviceID, nil, nil, &status), status == CL_SUCCESS else {
            throw OpenCLError.call("creating a context on \(device.name)", status: status)
        }
        self.context = context
        guard let queue = clCreateCommandQueue(context, device.deviceID.value, 0, &status), status == CL_SUCCESS else {
            clReleaseContext(context)
            throw OpenCLError.call("creating a command queue on \(device.name)", status: status)
        }
        self.queue = queue
    }

    deinit {
        clFinish(queue)
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }

    /// Builds `source` and returns its kernels by name; a compiler error carries the build log.
    public func build(_ source: String, options: String = "") throws -> OpenCLProgram {
        var status: cl_int = 0
        let program: cl_program? = source.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            var length = strlen(text)
            return clCreateProgramWithSource(context, 1, &pointer, &length, &status)
        }
        guard let program, status == CL_SUCCESS else { throw OpenCLError.call("creating a program", status: status) }
        var deviceID: cl_device_id? = device.deviceID.value
        let built = clBuildProgram(program, 1, &deviceID, options, nil, nil)
        if built != CL_SUCCESS {
            var size = 0
            clGetProgramBuildInfo(program, device.deviceID.value, cl_program_build_info(CL_PROGRAM_BUILD_LOG), 0, nil, &size)
            var log = [CChar](repeating: 0, count: size + 1)
            clGetProgramBuildInfo(program, device.deviceID.value, cl_program_build_info(CL_PROGRAM_BUILD_LOG), size, &log, nil)
            clReleaseProgram(program)
            let text = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw OpenCLError.build(device: device.name, log: text.split(separator: "\n").prefix(20).joined(separator: " | "))
        }
        return OpenCLProgram(program: program)
    }

    /// Waits until everything enqueued has run.
    public func finish() throws { try check(clFinish(queue), "waiting for the device") }
}

/// A built program; kernels are looked up by name once and reused.
public final class OpenCLProgram: @unchecked Sendable {
    let program: cl_program
    init(program: cl_program) { self.program = program }
    deinit { clReleaseProgram(program) }

    public func kernel(_ name: String) throws -> OpenCLKernel {
        var status: cl_int = 0
        guard let kernel = clCreateKernel(program, name, &status), status == CL_SUCCESS else {
            throw OpenCLError.call("looking up kernel \(name)", status: status)
        }
        return OpenCLKernel(kernel: kernel, name: name)
    }
}

/// One argument of a kernel call.
public enum KernelArgument {
    case buffer(OpenCLBuffer)
    case int(Int32)
    case long(Int64)
    case float(Float)
    /// Work-group local memory of this many bytes.
    case local(Int)
}

/// A kernel and its launches. Arguments are set at each launch (cheap: no allocation, no copies of data).
public final class OpenCLKernel: @unchecked Sendable {
    let kernel: cl_kernel
    public let name: String
    init(kernel: cl_kernel, name: String) {
        self.kernel = kernel
        self.name = name
    }
    deinit { clReleaseKernel(kernel) }

    private func set(_ argument: KernelArgument, at i: cl_uint) throws {
        let status: cl_int
        switch argument {
        case .buffer(let buffer):
            var memory: cl_mem? = buffer.memory
            status = clSetKernelArg(kernel, i, MemoryLayout<cl_mem?>.size, &memory)
        case .int(let value):
            var v = value
            status = clSetKernelArg(kernel, i, 4, &v)
        case .long(let value):
            var v = value
            status = clSetKernelArg(kernel, i, 8, &v)
        case .float(let value):
            var v = value
            status = clSetKernelArg(kernel, i, 4, &v)
        case .local(let bytes):
            status = clSetKernelArg(kernel, i, bytes, nil)
        }
        try check(status, "setting argument \(i) of kernel \(name)")
    }

    /// Enqueues the kernel over `global` work-items (rounded up to a multiple of `local`, which the kernel
    /// must guard) in groups of `local` (nil: the driver chooses, and `global` is used as it is). The
    /// arguments may come in up to three consecutive pieces, so that a list the caller keeps (the frame
    /// geometry) is not concatenated, which would allocate, at every launch.
    public func launch(on context: OpenCLContext, global: Int, local: Int? = nil, _ arguments: [KernelArgument],
                       _ shared: [KernelArgument] = [], _ tail: [KernelArgument] = []) throws {
        var index: cl_uint = 0
        func setEach(_ piece: [KernelArgument]) throws {
            for argument in piece {
                try set(argument, at: index)
                index += 1
            }
        }
        try setEach(arguments)
        try setEach(shared)
        try setEach(tail)
        guard global > 0 else { return }
        var globalSize = local.map { (global + $0 - 1) / $0 * $0 } ?? global
        if var localSize = local {
            try check(clEnqueueNDRangeKernel(context.queue, kernel, 1, nil, &globalSize, &localSize, 0, nil, nil),
                      "launching kernel \(name)")
        } else {
            try check(clEnqueueNDRangeKernel(context.queue, kernel, 1, nil, &globalSize, nil, 0, nil, nil),
                      "launching kernel \(name)")
        }
    }
}
