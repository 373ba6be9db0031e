/// A reconstruction algorithm written once against the backend's operators.
///
/// `iterate` performs one full iteration (every frame visited once) and returns the Fourier metrics of
/// that iteration. `iteration` is 1-based and counts across the whole engine plan, so options such as
/// "update the probe from iteration 3" mean the same whichever stage is running.
public protocol ReconstructionEngine {
    static var kind: EngineKind { get }
    mutating func start<Backend: ReconstructionBackend>(on backend: Backend)
    mutating func iterate<Backend: ReconstructionBackend>(on backend: Backend, iteration: Int,
                                                           random: inout RandomSource) -> FourierMetrics
    mutating func finish<Backend: ReconstructionBackend>(on backend: Backend)
}

extension ReconstructionEngine {
    public mutating func start<Backend: ReconstructionBackend>(on backend: Backend) {}
    public mutating func finish<Backend: ReconstructionBackend>(on backend: Backend) {}
}
