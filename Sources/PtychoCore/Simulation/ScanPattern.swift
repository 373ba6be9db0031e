import Foundation

/// Scan trajectories for simulations, in metres, centred on (0, 0).
public enum ScanPattern: Sendable, Equatable {
    /// Fermat (sunflower) spiral: r_k = c·√k, θ_k = k·golden angle. Uniform density with no grid
    /// periodicity, so it does not produce the raster pathology of periodic artefacts; `step` is the
    /// typical (median) nearest-neighbour distance, m.
    case fermatSpiral(step: Double)
    /// Square raster of pitch `step` (m), row by row, each position displaced uniformly by at most
    /// `jitter × step` along each axis (breaks the raster periodicity, as real stages do).
    case jitteredRaster(step: Double, jitter: Double)

    /// Median nearest-neighbour distance of a Fermat spiral per unit of its radial constant c
    /// (measured on 30 to 5000 points: 1.67–1.69).
    static let fermatStepPerRadialConstant = 1.69

    /// `count` probe positions centred on (0, 0): the spiral's mean is subtracted; the raster's grid is
    /// centred on its bounding box so that every position stays within `jitter × step` of its node
    /// `((row − (rows−1)/2)·step, (column − (columns−1)/2)·step)`.
    ///
    /// Deterministic for a given `seed` (only the jitter draws on it).
    public func positions(count: Int, seed: UInt64) -> ScanPositions {
        precondition(count > 0, "a scan needs at least one position")
        switch self {
        case let .fermatSpiral(step):
            precondition(step > 0)
            let radialConstant = step / Self.fermatStepPerRadialConstant
            let goldenAngle = Double.pi * (3 - 5.0.squareRoot())
            var y = [Double](), x = [Double]()
            for k in 0..<count {
                let radius = radialConstant * Double(k).squareRoot()
                y.append(radius * sin(Double(k) * goldenAngle))
                x.append(radius * cos(Double(k) * goldenAngle))
            }
            let meanY = y.reduce(0, +) / Double(count), meanX = x.reduce(0, +) / Double(count)
            return ScanPositions(y: y.map { $0 - meanY }, x: x.map { $0 - meanX })
        case let .jitteredRaster(step, jitter):
            precondition(step > 0 && jitter >= 0)
            let columns = Int(Double(count).squareRoot().rounded(.up))
            let rows = (count + columns - 1) / columns
            var rng = RandomSource(seed: seed)
            var y = [Double](), x = [Double]()
            for index in 0..<count {
                let row = index / columns, column = index % columns
                y.append((Double(row) - Double(rows - 1) / 2 + jitter * (2 * rng.uniform() - 1)) * step)
                x.append((Double(column) - Double(columns - 1) / 2 + jitter * (2 * rng.uniform() - 1)) * step)
            }
            return ScanPositions(y: y, x: x)
        }
    }
}
