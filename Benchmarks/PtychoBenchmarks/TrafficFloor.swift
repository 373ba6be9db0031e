import CFFTW
import Foundation
import PtychoCore

/// DM's element-wise passes with their arithmetic taken out: each pass loads and stores exactly the arrays
/// the engine's pass touches (same sizes, layouts, patch addresses, frame order and prefetch), combining
/// the loaded values with one addition or multiplication each. What these take is what moving the passes'
/// data costs on this machine; where it is close to the passes' own time, faster arithmetic cannot make
/// them much faster, only touching fewer bytes can.
///
/// Per pixel and probe mode (1 mode; floats): combine reads ψ (2, from memory), P (2), O (2), writes the
/// scratch (2); modulus reads and writes the scratch (4), reads the amplitude and mask (2); update reads
/// ψ (2, in cache after the combine), the scratch (2), P (2), O (2), |P|² (1), writes ψ (2) and
/// read-modify-writes the object sums (6); probe sums read ψ (2, from memory), O (2) and read-modify-write
/// the probe sums (6).
///
/// `Variant` measures the same for two algorithm changes that would touch fewer bytes (issue 2's DM target,
/// Benchmarks/README.md "Session 9"): the probe's sums taken in the update pass from the object loaded
/// there (the old object: a Jacobi instead of an alternating overlap projection, no probe-sum pass), and
/// the exit waves stored in half precision (half their bytes).
final class TrafficFloor: @unchecked Sendable {
    struct Variant {
        var probeSumsInUpdate = false
        var halfPrecisionExitWaves = false
    }

    let variant: Variant
    let frames: Int, modes: Int, height: Int, width: Int, threads: Int
    let rows: [Int], columns: [Int], objectWidth: Int, objectPixels: Int
    let exitWaves: UnsafeMutablePointer<Float>, amplitudes: UnsafePointer<Float>, mask: UnsafePointer<Float>
    /// Planar copies, as the engine's `PlanarModel`: probe `[K, 2, ny, nx]`, |P|² `[ny, nx]`, object `[2, H, W]`.
    let probe: UnsafeMutablePointer<Float>, probePower: UnsafeMutablePointer<Float>, object: UnsafeMutablePointer<Float>
    /// Per thread: frame scratch `[K, ny, nx]` complex, object sums `[3, H, W]`, probe sums `[K·2 + 1, ny, nx]`.
    let scratch: [UnsafeMutablePointer<Float>], objectSums: [UnsafeMutablePointer<Float>]
    let probeSums: [UnsafeMutablePointer<Float>]
    private var owned: [UnsafeMutablePointer<Float>] = []

    init(backend: CPUBackend, exitWaves: ComplexArray, threads: Int, variant: Variant = Variant()) {
        self.variant = variant
        let model = backend.model, data = backend.data
        frames = data.frameCount; modes = model.probe.shape[0]; height = data.frameHeight; width = data.frameWidth
        self.threads = threads
        rows = model.placement.rows; columns = model.placement.columns
        objectWidth = model.placement.objectWidth; objectPixels = model.object.count
        self.exitWaves = exitWaves.pointer
        amplitudes = UnsafePointer(data.amplitudes.pointer); mask = UnsafePointer(data.mask.pointer)
        let n = height * width, modes = modes, objectPixels = objectPixels
        var owned: [UnsafeMutablePointer<Float>] = []
        func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
            p.initialize(repeating: 0.5, count: count)
            owned.append(p)
            return p
        }
        probe = allocate(2 * modes * n); probePower = allocate(n); object = allocate(2 * objectPixels)
        scratch = (0..<threads).map { _ in allocate(2 * modes * n) }
        objectSums = (0..<threads).map { _ in allocate(3 * objectPixels) }
        probeSums = (0..<threads).map { _ in allocate((2 * modes + 1) * n) }
        self.owned = owned
    }

    deinit { owned.forEach { $0.deallocate() } }

    enum Pass: CaseIterable { case combine, modulus, update, probeSums }

    /// The passes an iteration makes in this variant.
    var passes: [Pass] { Pass.allCases.filter { $0 != .probeSums || !variant.probeSumsInUpdate } }

    /// One sweep of `pass` over every frame, the frames split across the threads in contiguous chunks.
    func run(_ pass: Pass) {
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for j in (t * frames / threads)..<((t + 1) * frames / threads) { frame(j, pass, thread: t) }
        }
    }

    private func frame(_ j: Int, _ pass: Pass, thread t: Int) {
        let n = height * width, w = width
        let s = scratch[t], objectRow0 = rows[j] * objectWidth + columns[j]
        for r in 0..<height {
            let o = object + objectRow0 + r * objectWidth, oIm = o + objectPixels
            let sums = objectSums[t] + objectRow0 + r * objectWidth
            switch pass {
            case .modulus:
                let a = amplitudes + j * n + r * w
                ptychite_prefetch(a, 8192, 4 * w)
                for i in stride(from: 0, to: w, by: 8) {
                    let f = s + 2 * (r * w + i)
                    let m = load(a + i) * load(mask + r * w + i)
                    store(load(f) * m, f); store(load(f + 8) * m, f + 8)
                }
                continue
            case .update:
                for i in stride(from: 0, to: w, by: 8) {
                    store(load(sums + 2 * objectPixels + i) + load(probePower + r * w + i), sums + 2 * objectPixels + i)
                }
                if variant.probeSumsInUpdate { addProbeDenominator(row: r, o, oIm, thread: t) }
            case .probeSums:
                addProbeDenominator(row: r, o, oIm, thread: t)
            case .combine:
                break
            }
            for k in 0..<modes {
                // Half precision: a pixel's wave in 4 bytes, so 8 pixels in one vector instead of two.
                let half = variant.halfPrecisionExitWaves, waveFloats = half ? 1 : 2
                let psi = exitWaves + waveFloats * ((j * modes + k) * n + r * w), f = s + 2 * (k * n + r * w)
                let p = probe + 2 * k * n + r * w, pIm = p + n
                let probeSum = probeSums[t] + 2 * k * n + r * w
                if pass != .update { ptychite_prefetch(psi, 8192, 4 * waveFloats * w) }
                for i in stride(from: 0, to: w, by: 8) {
                    let w0 = load(psi + waveFloats * i), w1 = half ? w0 : load(psi + 2 * i + 8)
                    switch pass {
                    case .combine:
                        let po = load(p + i) + load(pIm + i) + load(o + i) + load(oIm + i)
                        store(w0 + po, f + 2 * i); store(w1 + po, f + 2 * i + 8)
                    case .update:
                        let po = load(p + i) + load(pIm + i) + load(o + i) + load(oIm + i)
                        let (n0, n1) = (w0 + load(f + 2 * i) + po, w1 + load(f + 2 * i + 8) + po)
                        if half { store(n0 + n1, psi + i) } else { store(n0, psi + 2 * i); store(n1, psi + 2 * i + 8) }
                        store(load(sums + i) + n0, sums + i)
                        store(load(sums + objectPixels + i) + n1, sums + objectPixels + i)
                        if variant.probeSumsInUpdate { addProbeNumerator(probeSum, i, n0, n1, load(o + i) + load(oIm + i)) }
                    case .probeSums:
                        addProbeNumerator(probeSum, i, w0, w1, load(o + i) + load(oIm + i))
                    case .modulus:
                        break
                    }
                }
            }
        }
    }

    /// Σ|O|²'s row of the probe sums.
    @inline(__always) private func addProbeDenominator(row r: Int, _ o: UnsafeMutablePointer<Float>,
                                                       _ oIm: UnsafeMutablePointer<Float>, thread t: Int) {
        let d = probeSums[t] + 2 * modes * height * width + r * width
        for i in stride(from: 0, to: width, by: 8) { store(load(d + i) + load(o + i) * load(oIm + i), d + i) }
    }

    /// O*·ψ's 8 pixels at `i` of a probe-sum row (real plane, then imaginary plane n floats on).
    @inline(__always) private func addProbeNumerator(_ row: UnsafeMutablePointer<Float>, _ i: Int, _ w0: SIMD8<Float>,
                                                     _ w1: SIMD8<Float>, _ object: SIMD8<Float>) {
        let n = height * width
        store(load(row + i) + w0 * object, row + i)
        store(load(row + n + i) + w1 * object, row + n + i)
    }

    @inline(__always) private func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) private func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load(UnsafePointer(p)) }

    @inline(__always) private func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}
