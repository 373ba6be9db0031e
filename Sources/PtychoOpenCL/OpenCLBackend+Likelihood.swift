import PtychoCore

/// The maximum-likelihood engine's arrays on the device (`LikelihoodBuffers` on the CPU), allocated when
/// an ML stage starts and freed when it ends. The gradient itself lives in the overlap numerators, where
/// the gradient sweep accumulates it (the next iteration's reset comes after `updateSearchDirection` has
/// copied it to the previous gradient).
final class OpenCLLikelihoodBuffers {
    /// `[N, K, n]`: F(P_k·O_j) of every frame from the gradient sweep, for the same iteration's line search.
    let farFields: OpenCLBuffer
    /// `[B, K, n]`: the search direction's first- and second-order waves of a batch, then their far fields.
    let firstOrder: OpenCLBuffer
    let secondOrder: OpenCLBuffer
    let objectDirection: OpenCLBuffer
    let probeDirection: OpenCLBuffer
    let previousObjectGradient: OpenCLBuffer
    let previousProbeGradient: OpenCLBuffer
    /// `[N]` each frame's L′(0) and L″(0) terms of the line-search sweep.
    let lineFirst: OpenCLBuffer
    let lineSecond: OpenCLBuffer
    /// Host copy of `lineFirst` and `lineSecond`, summed in double precision.
    let lineValues: RealArray
    /// 256 + 256 per-work-group partial sums of the whole-array reductions.
    let partials: OpenCLBuffer
    let partialValues: RealArray
    let intensityFloor: Float
    /// Host copies of the carried arrays (`LikelihoodBuffers.stateNames` order), made when a checkpoint asks.
    var mirrors: [ComplexArray]?

    static let reductionGroups = 256

    /// Device bytes beside the model's arrays (the far fields take the exit waves' place).
    static func bytes(frames: Int, batchSize: Int, shape: FrameShape, objectPixels: Int) -> Int {
        let frame = shape.modes * shape.pixels * 8
        return (frames + 2 * batchSize) * frame + 2 * objectPixels * 8 + 2 * frame + frames * 8 + 2048
    }

    init(_ context: OpenCLContext, frames: Int, batchSize: Int, shape: FrameShape, objectPixels: Int,
         intensityFloor: Float) throws {
        let frame = shape.modes * shape.pixels * 8
        farFields = try OpenCLBuffer(context, bytes: frames * frame)
        firstOrder = try OpenCLBuffer(context, bytes: batchSize * frame)
        secondOrder = try OpenCLBuffer(context, bytes: batchSize * frame)
        objectDirection = try OpenCLBuffer(context, bytes: objectPixels * 8)
        previousObjectGradient = try OpenCLBuffer(context, bytes: objectPixels * 8)
        probeDirection = try OpenCLBuffer(context, bytes: frame)
        previousProbeGradient = try OpenCLBuffer(context, bytes: frame)
        lineFirst = try OpenCLBuffer(context, bytes: 4 * frames)
        lineSecond = try OpenCLBuffer(context, bytes: 4 * frames)
        lineValues = RealArray(shape: [2, frames])
        partials = try OpenCLBuffer(context, bytes: 4 * 2 * Self.reductionGroups)
        partialValues = RealArray(shape: [2, Self.reductionGroups])
        self.intensityFloor = intensityFloor
    }

    /// The carried arrays in `LikelihoodBuffers.stateNames` order.
    var carried: [OpenCLBuffer] { [objectDirection, probeDirection, previousObjectGradient, previousProbeGradient] }
}

/// Maximum likelihood on the device: the conjugate-gradient arrays stay there; per iteration only the
/// scalars the engine needs come back (curvature maxima, inner products, line-search and prior sums).
extension OpenCLBackend {
    public func prepareLikelihood() {
        resetOverlapSums()
        guard likelihoodBuffers == nil else { return }
        let meanIntensity = data.maskedIntensitySum / max(data.observedPixelCount, 1)
        attempt {
            likelihoodBuffers = try OpenCLLikelihoodBuffers(
                context, frames: frameCount, batchSize: batchSize, shape: shape, objectPixels: model.object.count,
                intensityFloor: max(Float(1e-6 * meanIntensity), 1e-30))
        }
    }

    public func releaseLikelihood() { likelihoodBuffers = nil }

    public func reduceLikelihoodGradient(smoothness: Double) -> LikelihoodGradientSummary {
        var summary = LikelihoodGradientSummary()
        attempt {
            summary.objectCurvature = Double(try maximumValue(of: objectDenominator, count: model.object.count))
            summary.probeCurvature = Double(try maximumValue(of: probeDenominator, count: shape.pixels))
            guard smoothness > 0 else { return }
            let placement = model.placement
            let (value, _) = try reduce(kernels.smoothnessGradient, [
                .buffer(objectBuffer), .buffer(objectNumerator), .int(Int32(placement.objectHeight)),
                .int(Int32(placement.objectWidth)), .float(Float(2 * smoothness))], pairs: false)
            summary.smoothness = smoothness * value
        }
        return summary
    }

    public func conjugateGradientProducts() -> ConjugateGradientProducts {
        let buffers = likelihoodBuffers!
        var result = ConjugateGradientProducts()
        attempt {
            (result.objectNorm, result.objectOverlap) = try reduce(kernels.innerProductPartials, [
                .buffer(objectNumerator), .buffer(buffers.previousObjectGradient), .int(Int32(2 * model.object.count))])
            (result.probeNorm, result.probeOverlap) = try reduce(kernels.innerProductPartials, [
                .buffer(probeNumerator), .buffer(buffers.previousProbeGradient), .int(Int32(2 * model.probe.count))])
        }
        return result
    }

    public func updateSearchDirection(beta: Double, probeScale: Double, includeProbe: Bool) {
        let buffers = likelihoodBuffers!
        let scale = includeProbe ? Float(probeScale) : 0
        attempt {
            for (direction, gradient, previous, count, s) in [
                (buffers.objectDirection, objectNumerator, buffers.previousObjectGradient, model.object.count, Float(1)),
                (buffers.probeDirection, probeNumerator, buffers.previousProbeGradient, model.probe.count, scale)] {
                try kernels.updateSearchDirection.launch(on: context, global: 2 * count, local: 256, [
                    .buffer(direction), .buffer(gradient), .buffer(previous), .float(Float(beta)), .float(s),
                    .int(Int32(2 * count))])
            }
        }
    }

    public func takeLineSearchSums() -> (first: Double, second: Double) {
        let buffers = likelihoodBuffers!, values = buffers.lineValues
        attempt {
            try buffers.lineFirst.download(values.slice(0), count: frameCount)
            try buffers.lineSecond.download(values.slice(1), count: frameCount)
        }
        var first = 0.0, second = 0.0
        for j in 0..<frameCount { first += Double(values.slice(0)[j]); second += Double(values.slice(1)[j]) }
        return (first, second)
    }

    public func smoothnessAlongSearchDirection(weight: Double) -> (first: Double, second: Double) {
        guard weight > 0 else { return (0, 0) }
        let placement = model.placement
        var result = (first: 0.0, second: 0.0)
        attempt {
            let (first, second) = try reduce(kernels.smoothnessAlong, [
                .buffer(objectBuffer), .buffer(likelihoodBuffers!.objectDirection), .int(Int32(placement.objectHeight)),
                .int(Int32(placement.objectWidth))])
            result = (2 * weight * first, 2 * weight * second)
        }
        return result
    }

    public func stepAlongSearchDirection(_ step: Float, includeProbe: Bool) {
        let buffers = likelihoodBuffers!
        attempt {
            let moves = [(objectBuffer, buffers.objectDirection, model.object.count),
                         (probeBuffer, buffers.probeDirection, model.probe.count)]
            for (values, direction, count) in moves.prefix(includeProbe ? 2 : 1) {
                try kernels.stepAlong.launch(on: context, global: 2 * count, local: 256, [
                    .buffer(values), .buffer(direction), .float(step), .int(Int32(2 * count))])
            }
        }
    }

    public func conjugateGradientState() -> [String: ComplexArray] {
        guard let buffers = likelihoodBuffers else { return [:] }
        let mirrors = buffers.mirrors ?? carriedShapes.map { ComplexArray(shape: $0) }
        buffers.mirrors = mirrors
        attempt {
            for (buffer, mirror) in zip(buffers.carried, mirrors) { try buffer.download(mirror.pointer, count: 2 * mirror.count) }
        }
        return Dictionary(uniqueKeysWithValues: zip(LikelihoodBuffers.stateNames, mirrors))
    }

    public func restoreConjugateGradientState(_ arrays: [String: ComplexArray]) throws {
        prepareLikelihood()
        var state = EngineState()
        state.complexArrays = arrays
        for ((name, buffer), shape) in zip(zip(LikelihoodBuffers.stateNames, likelihoodBuffers!.carried), carriedShapes) {
            let source = try state.complexArray(name, shape: shape)
            try buffer.upload(source.pointer, count: 2 * source.count)
        }
    }

    /// Shapes of the carried arrays, in `LikelihoodBuffers.stateNames` order.
    private var carriedShapes: [[Int]] { [model.object.shape, model.probe.shape, model.object.shape, model.probe.shape] }

    /// max of `count` floats of `buffer` (the `maximum` kernel, one float back).
    func maximumValue(of buffer: OpenCLBuffer, count: Int) throws -> Float {
        try kernels.maximum.launch(on: context, global: 256, local: 256, [
            .buffer(buffer), .int(Int32(count)), .buffer(maximum), .local(4 * 256)])
        var value: Float = 0
        try maximum.download(&value, count: 1)
        return value
    }

    /// Runs a whole-array reduction kernel (`arguments`, then the partials buffer and local scratch are
    /// appended) over `reductionGroups` work-groups and sums its partials in double precision: one sum, or
    /// with `pairs` two (the kernel writes the second set after the first).
    func reduce(_ kernel: OpenCLKernel, _ arguments: [KernelArgument], pairs: Bool = true) throws -> (Double, Double) {
        let buffers = likelihoodBuffers!, groups = OpenCLLikelihoodBuffers.reductionGroups
        try kernel.launch(on: context, global: groups * 256, local: 256,
                          arguments + [.buffer(buffers.partials), .local(4 * 256)])
        let values = buffers.partialValues
        try buffers.partials.download(values.pointer, count: (pairs ? 2 : 1) * groups)
        var first = 0.0, second = 0.0
        for g in 0..<groups {
            first += Double(values.pointer[g])
            if pairs { second += Double(values.pointer[groups + g]) }
        }
        return (first, second)
    }
}
