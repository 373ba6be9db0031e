import CFFTW

/// A dense, row-major array of single-precision complex numbers stored interleaved
/// (`re, im, re, im, …`) in one 64-byte-aligned allocation that never moves.
///
/// Invariants: `storage.count == 2 * shape.reduce(1, *)`; the memory is owned by the array,
/// freed on deinit, and aligned for FFTW's SIMD kernels so plans made on one array execute on any other.
/// Hot loops take `storage` (or `pointer`) once and work on raw floats; nothing here allocates after init.
public final class ComplexArray: @unchecked Sendable {
    /// Extent of each axis, slowest first (e.g. `[modes, ny, nx]`).
    public let shape: [Int]
    /// Number of complex elements.
    public let count: Int
    /// Interleaved real/imaginary floats, `2 * count` of them.
    public let storage: UnsafeMutableBufferPointer<Float>

    /// Allocates zero-filled storage for `shape`.
    public init(shape: [Int]) {
        self.shape = shape
        self.count = elementCount(shape)
        storage = allocateAlignedZeros(2 * count)
    }

    /// Copies `other`, optionally viewed with another `shape` of the same element count.
    public convenience init(copying other: ComplexArray, shape: [Int]? = nil) {
        self.init(shape: shape ?? other.shape)
        precondition(count == other.count, "shape \(self.shape) does not hold \(other.count) elements")
        withExtendedLifetime(other) { pointer.update(from: other.pointer, count: 2 * count) }
    }

    /// The interleaved floats as an array. Prefer this to `Array(storage)`: `storage` does not keep the
    /// owning array alive, so reading it after the array's last use may read freed memory.
    public func floats() -> [Float] { withExtendedLifetime(self) { Array(storage) } }

    deinit { fftwf_free(storage.baseAddress) }

    /// Base address of the interleaved floats.
    @inlinable public var pointer: UnsafeMutablePointer<Float> { storage.baseAddress! }

    /// Number of complex elements in one slice along the first axis (e.g. one frame of `[n, ny, nx]`).
    public var sliceCount: Int { shape.count > 1 ? count / shape[0] : count }

    /// Pointer to the `index`-th slice along the first axis.
    @inlinable public func slice(_ index: Int) -> UnsafeMutablePointer<Float> {
        pointer + 2 * index * sliceCount
    }

    public subscript(flat index: Int) -> (re: Float, im: Float) {
        get { (storage[2 * index], storage[2 * index + 1]) }
        set { storage[2 * index] = newValue.re; storage[2 * index + 1] = newValue.im }
    }

    /// Sets every element to `value`.
    public func fill(re: Float, im: Float = 0) {
        for i in 0..<count { storage[2 * i] = re; storage[2 * i + 1] = im }
    }

    /// Σ |z|² over all elements, accumulated in double precision.
    public func totalPower() -> Double {
        var sum = 0.0
        for i in 0..<(2 * count) { sum += Double(storage[i] * storage[i]) }
        return sum
    }
}

/// A dense, row-major array of `Float` in one 64-byte-aligned allocation that never moves.
///
/// Invariant: `storage.count == shape.reduce(1, *)`; owned, freed on deinit.
public final class RealArray: @unchecked Sendable {
    public let shape: [Int]
    public let count: Int
    public let storage: UnsafeMutableBufferPointer<Float>

    public init(shape: [Int]) {
        self.shape = shape
        self.count = elementCount(shape)
        storage = allocateAlignedZeros(count)
    }

    public convenience init(shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "value count does not match shape \(shape)")
        self.init(shape: shape)
        _ = storage.initialize(from: values)
    }

    deinit { fftwf_free(storage.baseAddress) }

    @inlinable public var pointer: UnsafeMutablePointer<Float> { storage.baseAddress! }

    public var sliceCount: Int { shape.count > 1 ? count / shape[0] : count }

    @inlinable public func slice(_ index: Int) -> UnsafeMutablePointer<Float> {
        pointer + index * sliceCount
    }

    /// The values as an array (see `ComplexArray.floats()` for why not `Array(storage)`).
    public func floats() -> [Float] { withExtendedLifetime(self) { Array(storage) } }

    public subscript(flat index: Int) -> Float {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    public func fill(_ value: Float) { storage.update(repeating: value) }
}

private func elementCount(_ shape: [Int]) -> Int {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
    return shape.reduce(1, *)
}

/// `count` zeroed floats from FFTW's allocator (SIMD-aligned); at least one is allocated so that the base
/// address is never nil. Freed with `fftwf_free`.
private func allocateAlignedZeros(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
    let capacity = max(1, count)
    let floats = fftwf_malloc(capacity * MemoryLayout<Float>.stride)!.bindMemory(to: Float.self, capacity: capacity)
    floats.initialize(repeating: 0, count: capacity)
    return UnsafeMutableBufferPointer(start: floats, count: count)
}
