import CVkFFT
import COpenCL

/// Device memory of a fixed size. Transfers are blocking (they happen outside iterations: at the start,
/// for progress scalars, and for previews/checkpoints).
public final class OpenCLBuffer: @unchecked Sendable {
    let memory: cl_mem
    public let byteCount: Int
    private let context: OpenCLContext

    public init(_ context: OpenCLContext, bytes: Int) throws {
        self.context = context
        byteCount = max(bytes, 4)
        var status: cl_int = 0
        guard let memory = clCreateBuffer(context.context, cl_mem_flags(CL_MEM_READ_WRITE), byteCount, nil, &status),
              status == CL_SUCCESS else {
            throw OpenCLError.call("allocating \(byteCount >> 20) MiB on \(context.device.name)", status: status)
        }
        self.memory = memory
        // Drivers allocate lazily: touching the buffer now makes an out-of-memory show up here, not mid-run.
        try fill(0)
    }

    /// A buffer holding a copy of `count` floats from `source`.
    public convenience init(_ context: OpenCLContext, copying source: UnsafePointer<Float>, count: Int) throws {
        try self.init(context, bytes: count * 4)
        try upload(source, count: count)
    }

    deinit { clReleaseMemObject(memory) }

    public func upload(_ source: UnsafeRawPointer, bytes: Int, offset: Int = 0) throws {
        precondition(offset + bytes <= byteCount, "upload past the end of the buffer")
        try check(clEnqueueWriteBuffer(context.queue, memory, cl_bool(CL_TRUE), offset, bytes, source, 0, nil, nil),
                  "copying \(bytes >> 10) KiB to the device")
    }

    public func upload(_ source: UnsafePointer<Float>, count: Int) throws { try upload(source, bytes: 4 * count) }

    public func download(_ destination: UnsafeMutableRawPointer, bytes: Int, offset: Int = 0) throws {
        precondition(offset + bytes <= byteCount, "download past the end of the buffer")
        try check(clEnqueueReadBuffer(context.queue, memory, cl_bool(CL_TRUE), offset, bytes, destination, 0, nil, nil),
                  "copying \(bytes >> 10) KiB from the device")
    }

    public func download(_ destination: UnsafeMutablePointer<Float>, count: Int) throws {
        try download(destination, bytes: 4 * count)
    }

    /// Sets every float to `value` (enqueued, not waited for).
    public func fill(_ value: Float) throws {
        var pattern = value
        try check(clEnqueueFillBuffer(context.queue, memory, &pattern, 4, 0, byteCount / 4 * 4, 0, nil, nil),
                  "clearing device memory")
    }
}

/// Batched in-place 2-D FFTs through VkFFT on the context's queue (`CVkFFT`), FFTW's conventions.
public final class OpenCLFFTPlan: @unchecked Sendable {
    let plan: OpaquePointer
    public let batch: Int
    public let height: Int
    public let width: Int

    public init(_ context: OpenCLContext, height: Int, width: Int, batch: Int) throws {
        var error: Int32 = 0
        guard let plan = ptychite_vkfft_make_plan(UnsafeMutableRawPointer(context.device.deviceID.value),
                                                  UnsafeMutableRawPointer(context.context),
                                                  UnsafeMutableRawPointer(context.queue),
                                                  UInt64(width), UInt64(height), UInt64(batch), &error) else {
            throw OpenCLError.fft("planning \(batch) transforms of \(height)×\(width)", code: error)
        }
        self.plan = plan
        self.batch = batch
        self.height = height
        self.width = width
    }

    deinit { ptychite_vkfft_destroy(plan) }

    /// Enqueues the transform of the first `batch` frames of `buffer`.
    public func execute(_ buffer: OpenCLBuffer, inverse: Bool) throws {
        precondition(buffer.byteCount >= batch * height * width * 8, "FFT buffer too small")
        let code = ptychite_vkfft_execute(plan, UnsafeMutableRawPointer(buffer.memory), inverse ? 1 : 0)
        if code != 0 { throw OpenCLError.fft(inverse ? "running an inverse FFT" : "running a forward FFT", code: code) }
    }
}
