import CFFTW
import Foundation

/// How much effort FFTW spends choosing an algorithm. `measure` is the default for reconstructions
/// (~0.1 s per plan); `estimate` suits one-off transforms in tools and tests.
public enum FFTPlanningEffort: Sendable {
    case estimate, measure, patient

    var flags: UInt32 {
        switch self {
        case .estimate: return UInt32(FFTW_ESTIMATE)
        case .measure: return UInt32(FFTW_MEASURE)
        case .patient: return UInt32(FFTW_PATIENT)
        }
    }
}

/// One-time process set-up of FFTW's threads and its thread-safe planner.
enum FFTWRuntime {
    static let ready: Bool = {
        fftwf_init_threads()
        fftwf_make_planner_thread_safe()
        return true
    }()
}

/// A planned batch of 2-D complex-to-complex transforms of fixed size, made once and executed on any
/// 64-byte-aligned interleaved array of the same layout (FFTW's new-array execute).
///
/// The transforms are unnormalised, as FFTW's: `inverse(forward(x)) == n·x` with `n = height·width`.
/// Engines fold the `1/√n` factors of the unitary transform into the modulus projection, so no extra pass
/// over the data is spent on scaling. Executing one plan from several threads on distinct arrays is safe.
public final class FFTPlan2D: @unchecked Sendable {
    public let height: Int
    public let width: Int
    /// Number of frames transformed by one execution.
    public let batch: Int
    public let threads: Int
    private let forwardPlan: fftwf_plan
    private let inversePlan: fftwf_plan

    /// Number of complex elements in one frame.
    public var frameCount: Int { height * width }

    /// Plans forward and inverse in-place transforms of `batch` contiguous `height × width` frames.
    /// Planning with `.measure` overwrites a scratch array, never the caller's data.
    public init(height: Int, width: Int, batch: Int = 1, threads: Int = 1,
                effort: FFTPlanningEffort = .measure) {
        precondition(height > 0 && width > 0 && batch > 0 && threads > 0)
        _ = FFTWRuntime.ready
        self.height = height
        self.width = width
        self.batch = batch
        self.threads = threads
        let scratch = ComplexArray(shape: [batch, height, width])
        let data = UnsafeMutableRawPointer(scratch.pointer).assumingMemoryBound(to: fftwf_complex.self)
        var dims: [Int32] = [Int32(height), Int32(width)]
        let distance = Int32(height * width)
        fftwf_plan_with_nthreads(Int32(threads))
        forwardPlan = dims.withUnsafeMutableBufferPointer { n in
            fftwf_plan_many_dft(2, n.baseAddress, Int32(batch), data, nil, 1, distance,
                                data, nil, 1, distance, FFTW_FORWARD, effort.flags)!
        }
        inversePlan = dims.withUnsafeMutableBufferPointer { n in
            fftwf_plan_many_dft(2, n.baseAddress, Int32(batch), data, nil, 1, distance,
                                data, nil, 1, distance, FFTW_BACKWARD, effort.flags)!
        }
    }

    deinit {
        fftwf_destroy_plan(forwardPlan)
        fftwf_destroy_plan(inversePlan)
    }

    /// In-place forward transform (sign −1) of `batch` frames starting at `data` (64-byte aligned).
    @inlinable public func forward(_ data: UnsafeMutablePointer<Float>) { execute(forward: true, data) }

    /// In-place unnormalised inverse transform (sign +1).
    @inlinable public func inverse(_ data: UnsafeMutablePointer<Float>) { execute(forward: false, data) }

    @usableFromInline func execute(forward: Bool, _ data: UnsafeMutablePointer<Float>) {
        let p = UnsafeMutableRawPointer(data).assumingMemoryBound(to: fftwf_complex.self)
        fftwf_execute_dft(forward ? forwardPlan : inversePlan, p, p)
    }
}

/// Moves the zero frequency between the array centre (`[ny/2, nx/2]`, the file convention) and the
/// origin (FFTW's convention). For even extents the shift is its own inverse; `inverse: true` handles odd
/// extents exactly.
public enum FFTShift {
    /// Shifts one `height × width` complex frame in place through `scratch` (≥ one frame).
    public static func apply(_ frame: UnsafeMutablePointer<Float>, height: Int, width: Int,
                             scratch: UnsafeMutablePointer<Float>, inverse: Bool = false) {
        let sy = inverse ? (height + 1) / 2 : height / 2
        let sx = inverse ? (width + 1) / 2 : width / 2
        scratch.update(from: frame, count: 2 * height * width)
        for r in 0..<height {
            let dr = (r + sy) % height
            for c in 0..<width {
                let dc = (c + sx) % width
                frame[2 * (dr * width + dc)] = scratch[2 * (r * width + c)]
                frame[2 * (dr * width + dc) + 1] = scratch[2 * (r * width + c) + 1]
            }
        }
    }

    /// Real-valued variant for intensity frames and masks.
    public static func apply(real frame: UnsafeMutablePointer<Float>, height: Int, width: Int,
                             scratch: UnsafeMutablePointer<Float>, inverse: Bool = false) {
        let sy = inverse ? (height + 1) / 2 : height / 2
        let sx = inverse ? (width + 1) / 2 : width / 2
        scratch.update(from: frame, count: height * width)
        for r in 0..<height {
            let dr = (r + sy) % height
            for c in 0..<width {
                frame[dr * width + (c + sx) % width] = scratch[r * width + c]
            }
        }
    }
}
