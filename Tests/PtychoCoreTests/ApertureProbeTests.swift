import PtychoCore
import XCTest

final class ApertureProbeTests: XCTestCase {
    func testProbeIsCentredWithRequestedPower() {
        for astigmatism in [0.0, 0.2] {
            let geometry = FrameMeasure.geometry(frameSize: 64)
            let probe = ApertureProbe.make(geometry: geometry, apertureRadius: 10, beamDiameter: 3e-6,
                                           astigmatism: astigmatism, totalPower: 1e6)
            XCTAssertEqual(probe.shape, [64, 64])
            XCTAssertEqual(probe.totalPower(), 1e6, accuracy: 1)
            let centre = FrameMeasure.centroid(FrameMeasure.power(probe), height: 64, width: 64)
            XCTAssertEqual(centre.row, 32, accuracy: 1)
            XCTAssertEqual(centre.column, 32, accuracy: 1)
        }
    }

    func testBeamDiameterAtSampleFollowsRequest() {
        let geometry = FrameMeasure.geometry(frameSize: 128)
        let pixel = geometry.objectPixelSize.x
        for diameter in [2e-6, 3e-6, 5e-6] {
            let probe = ApertureProbe.make(geometry: geometry, apertureRadius: 128.0 / 6, beamDiameter: diameter,
                                           totalPower: 1)
            let power = FrameMeasure.power(probe)
            let measured = 2 * pixel * FrameMeasure.enclosingRadius(power, height: 128, width: 128, fraction: 0.9)
            XCTAssertGreaterThan(measured, diameter / 1.5, "diameter \(diameter)")
            XCTAssertLessThan(measured, diameter * 1.5, "diameter \(diameter)")
        }
        // In focus the spot is far smaller than any defocused beam.
        let focused = ApertureProbe.make(geometry: geometry, apertureRadius: 128.0 / 6, beamDiameter: 0, totalPower: 1)
        let focusedPower = FrameMeasure.power(focused)
        XCTAssertLessThan(2 * pixel * FrameMeasure.enclosingRadius(focusedPower, height: 128, width: 128, fraction: 0.5),
                          1e-6)
    }

    func testAstigmatismMakesBeamTallerThanWide() {
        let geometry = FrameMeasure.geometry(frameSize: 128)
        let probe = ApertureProbe.make(geometry: geometry, apertureRadius: 20, beamDiameter: 4e-6,
                                       astigmatism: 0.4, totalPower: 1)
        let power = FrameMeasure.power(probe)
        var spreadY = 0.0, spreadX = 0.0
        for index in 0..<(128 * 128) {
            spreadY += power[index] * Double((index / 128 - 64) * (index / 128 - 64))
            spreadX += power[index] * Double((index % 128 - 64) * (index % 128 - 64))
        }
        XCTAssertGreaterThan(spreadY, 1.1 * spreadX)
    }

    func testFarFieldIsTheApertureDisk() {
        let geometry = FrameMeasure.geometry(frameSize: 64)
        let radius = 10.0
        let probe = ApertureProbe.make(geometry: geometry, apertureRadius: radius, beamDiameter: 3e-6,
                                       astigmatism: 0.2, totalPower: 1)
        let farField = FrameMeasure.farFieldPower(of: probe)
        var inside = 0.0
        for index in 0..<(64 * 64) {
            let dy = Double(index / 64 - 32), dx = Double(index % 64 - 32)
            if (dy * dy + dx * dx).squareRoot() <= radius + 1 { inside += farField[index] }
        }
        XCTAssertGreaterThan(inside / farField.reduce(0, +), 0.999)
        let estimate = FrameMeasure.estimateRadius(farField.map { Float($0) }, size: 64)
        XCTAssertEqual(estimate, radius, accuracy: 0.05 * radius)
    }

    func testEstimateApertureRadiusOnNoisySimulatedData() {
        for radius in [8.0, 12.0] {
            let parameters = PtychographySimulation.Parameters(
                frameSize: 64, positionCount: 40, apertureRadius: radius, dose: 1e5, deadPixelFraction: 0.01,
                detectorGapColumns: 40..<42, seed: 7)
            let (dataset, _) = PtychographySimulation.run(parameters)
            let mean = FrameMeasure.meanPattern(dataset.intensities)
            let estimate = FrameMeasure.estimateRadius(mean, size: 64, mask: dataset.mask)
            XCTAssertEqual(estimate, radius, accuracy: 0.1 * radius, "radius \(radius)")
            // Without the mask the dead pixels only dilute the ring averages a little.
            let unmasked = FrameMeasure.estimateRadius(mean, size: 64)
            XCTAssertEqual(unmasked, radius, accuracy: 0.1 * radius, "radius \(radius), no mask")
        }
    }

    /// A strongly scattering sample puts a bright halo around the disk; an enclosed-power radius would
    /// grow with it, the half-level edge must not.
    func testEstimateApertureRadiusIgnoresScatteringHalo() {
        let size = 96, radius = 14.0
        var rng = RandomSource(seed: 2)
        var pattern = [Float](repeating: 0, count: size * size)
        var haloPower = 0.0, totalPower = 0.0
        for index in 0..<(size * size) {
            let dy = Double(index / size - size / 2), dx = Double(index % size - size / 2)
            let distance = (dy * dy + dx * dx).squareRoot()
            let disk = distance < radius - 0.5 ? 200.0 : (distance < radius + 0.5 ? 100.0 : 0.0)
            let halo = 150 / (1 + (distance / 10) * (distance / 10))   // a quarter of the disk level at the edge
            haloPower += halo
            totalPower += disk + halo
            pattern[index] = Float(rng.poisson(disk + halo))
        }
        XCTAssertGreaterThan(haloPower / totalPower, 0.5)
        XCTAssertEqual(FrameMeasure.estimateRadius(pattern, size: size), radius, accuracy: 0.1 * radius)
    }
}
