import Foundation

/// Split-complex (planar) copies of the probe and the object for the projection engines' element-wise
/// passes, which the CPU backend holds while a stage stores exit waves (DM, RAAR, AP).
///
/// Why: with interleaved storage every vectorised loop spends shuffles splitting `re, im, re, im…` into a
/// register of real parts and one of imaginary parts and merging them back, and in DM's passes those
/// shuffles outnumbered the arithmetic (profile in Benchmarks/README.md). The probe, the object patch and
/// the overlap sums are read or written by every frame, so keeping them planar removes most of the
/// shuffles; the frame scratch must stay interleaved (FFTW's split-array transforms are ~2.7× slower than its
/// interleaved ones for 128×128 frames) and so do the stored exit waves (their public, checkpointed layout).
///
/// The copies are refreshed from the model at the start of every parallel sweep (`refresh`), which costs a
/// pass over the object and the probe, small next to a sweep over every frame, and is correct whatever
/// changed the model in between (a solve, a PIE stage, a restored checkpoint).
final class PlanarModel: @unchecked Sendable {
    let shape: FrameShape
    let objectWidth: Int
    /// `[K, 2, ny, nx]`: each mode's real parts, then its imaginary parts.
    let probe: RealArray
    /// `[ny, nx]`: Σ_k |P_k|², the object denominator's term per frame.
    let probePower: RealArray
    /// `[2, H, W]`: the object's real parts, then its imaginary parts.
    let object: RealArray

    init(shape: FrameShape, objectHeight: Int, objectWidth: Int) {
        self.shape = shape
        self.objectWidth = objectWidth
        probe = RealArray(shape: [shape.modes, 2, shape.height, shape.width])
        probePower = RealArray(shape: [shape.height, shape.width])
        object = RealArray(shape: [2, objectHeight, objectWidth])
    }

    /// Copies the model's probe and object (split across `threads` by object rows).
    func refresh(from model: ReconstructionModel, threads: Int) {
        let n = shape.pixels
        let power = probePower.pointer
        power.update(repeating: 0, count: n)
        for k in 0..<shape.modes {
            let source = UnsafePointer(model.probe.slice(k)), re = probe.pointer + 2 * k * n, im = re + n
            Self.split(source, re: re, im: im, count: n)
            for i in 0..<n { power[i] = power[i].addingProduct(re[i], re[i]).addingProduct(im[i], im[i]) }
        }
        let count = model.object.count, chunks = max(1, threads)
        let box = UncheckedBox((UnsafePointer(model.object.pointer), object.pointer))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let (source, re) = box.value
            let start = chunk * count / chunks, end = (chunk + 1) * count / chunks
            Self.split(source + 2 * start, re: re + start, im: re + count + start, count: end - start)
        }
    }

    static func split(_ source: UnsafePointer<Float>, re: UnsafeMutablePointer<Float>,
                      im: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            re[i] = source[2 * i]
            im[i] = source[2 * i + 1]
        }
    }

    /// Frame j's patch of the planar object, at the model's current placement.
    func patch(_ j: Int, placement: ObjectPlacement) -> PlanarPatch {
        let re = object.pointer + placement.rows[j] * objectWidth + placement.columns[j]
        return PlanarPatch(re: re, im: re + object.count / 2, objectWidth: objectWidth)
    }

    /// Row r of mode k: its real parts and its imaginary parts.
    func probeRow(_ k: Int, _ r: Int) -> (re: UnsafePointer<Float>, im: UnsafePointer<Float>) {
        let re = UnsafePointer(probe.pointer + 2 * k * shape.pixels + r * shape.width)
        return (re, re + shape.pixels)
    }
}

/// One frame's window of the planar object: row r's real parts start at `re + r·W`, its imaginary parts at
/// `im + r·W`.
struct PlanarPatch {
    let re: UnsafeMutablePointer<Float>
    let im: UnsafeMutablePointer<Float>
    let objectWidth: Int

    /// Row r of the window: its real parts and its imaginary parts.
    func row(_ r: Int) -> (re: UnsafeMutablePointer<Float>, im: UnsafeMutablePointer<Float>) {
        (re + r * objectWidth, im + r * objectWidth)
    }
}

/// A worker's overlap sums as the projection engines' planar kernels accumulate them, in the same
/// allocations as `OverlapAccumulators` (which the ML kernels fill interleaved; the sums are reduced
/// element-wise, so either layout adds up the same, and each solve reads the layout its engine wrote).
/// Object numerator `[2, H, W]` (real plane, imaginary plane), probe numerator `[K, 2, ny, nx]`.
struct PlanarAccumulators {
    let objectNumerator: UnsafeMutablePointer<Float>
    let objectDenominator: UnsafeMutablePointer<Float>
    let objectPixels: Int
    let objectWidth: Int
    let probeNumerator: UnsafeMutablePointer<Float>
    let probeDenominator: UnsafeMutablePointer<Float>
}
