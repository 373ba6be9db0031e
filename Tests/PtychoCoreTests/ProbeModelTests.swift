import PtychoCore
import XCTest

/// The parametric initial probes: each has the size its parameters say, and the data's power.
final class ProbeModelTests: XCTestCase {
    /// 64² frames of the default simulation geometry: 300 nm object pixels.
    private let geometry = PtychographySimulation.Parameters(frameSize: 64).geometry
    private var pixel: Double { geometry.objectPixelSize.x }

    /// Width (pixels) at half the peak intensity along the central row (`alongRows` false) or column,
    /// interpolated linearly between pixels.
    private func halfMaximumWidth(_ probe: ComplexArray, alongColumn: Bool = false) -> Double {
        let n = 64
        let profile = (0..<n).map { i -> Double in
            let index = alongColumn ? i * n + n / 2 : (n / 2) * n + i
            let re = Double(probe.pointer[2 * index]), im = Double(probe.pointer[2 * index + 1])
            return re * re + im * im
        }
        let half = profile.max()! / 2
        let peak = profile.firstIndex(of: profile.max()!)!
        var left = Double(peak), right = Double(peak)
        for i in stride(from: peak, to: 0, by: -1) where profile[i - 1] < half {
            left = Double(i) - (profile[i] - half) / (profile[i] - profile[i - 1]); break
        }
        for i in peak..<(n - 1) where profile[i + 1] < half {
            right = Double(i) + (profile[i] - half) / (profile[i] - profile[i + 1]); break
        }
        return right - left
    }

    /// Radius (pixels) about the frame centre holding half the power of a 64² intensity.
    private func halfPowerRadius(_ power: [Double]) -> Double {
        let byRadius = power.indices.map { index -> (Double, Double) in
            let dy = Double(index / 64 - 32), dx = Double(index % 64 - 32)
            return ((dy * dy + dx * dx).squareRoot(), power[index])
        }.sorted { $0.0 < $1.0 }
        let total = power.reduce(0, +)
        var enclosed = 0.0
        for (radius, value) in byRadius {
            enclosed += value
            if enclosed >= total / 2 { return radius }
        }
        return 64
    }

    func testCircularApertureInFocusIsItsDiameterAcross() {
        let probe = CircularApertureProbe.make(geometry: geometry, diameter: 20 * pixel, defocus: 0, totalPower: 1)
        XCTAssertEqual(halfMaximumWidth(probe), 20, accuracy: 1)
        XCTAssertEqual(halfMaximumWidth(probe, alongColumn: true), 20, accuracy: 1)
        XCTAssertEqual(probe.totalPower(), 1, accuracy: 1e-4)
        // Defocus spreads the beam and keeps the power.
        let defocused = CircularApertureProbe.make(geometry: geometry, diameter: 20 * pixel, defocus: 2e-3, totalPower: 1)
        XCTAssertEqual(defocused.totalPower(), 1, accuracy: 1e-4)
        XCTAssertNotEqual(defocused.floats(), probe.floats())
    }

    func testRectangularApertureInFocusIsWidthByHeight() {
        let probe = RectangularApertureProbe.make(geometry: geometry, width: 24 * pixel, height: 12 * pixel,
                                                  defocus: 0, totalPower: 1)
        XCTAssertEqual(halfMaximumWidth(probe), 24, accuracy: 1)
        XCTAssertEqual(halfMaximumWidth(probe, alongColumn: true), 12, accuracy: 1)
    }

    func testGaussianHasTheGivenFWHM() {
        let probe = GaussianProbe.make(geometry: geometry, fwhm: 10 * pixel, totalPower: 1)
        XCTAssertEqual(halfMaximumWidth(probe), 10, accuracy: 0.3)
        XCTAssertEqual(halfMaximumWidth(probe, alongColumn: true), 10, accuracy: 0.3)
    }

    /// In focus a zone plate gives an Airy spot: first zero at 1.22·dr, intensity FWHM ≈ 1.03·dr.
    func testZonePlateFocusHasTheAiryWidthOfItsOuterZone() {
        let dr = 6 * pixel
        let probe = ZonePlateProbe.make(geometry: geometry, diameter: 150e-6, outerZoneWidth: dr, centralStop: 0,
                                        defocus: 0, totalPower: 1)
        XCTAssertEqual(halfMaximumWidth(probe) / 6, 1.03, accuracy: 0.15)
        XCTAssertEqual(ZonePlateProbe.focalLength(diameter: 150e-6, outerZoneWidth: dr, wavelength: geometry.wavelength),
                       150e-6 * dr / geometry.wavelength, accuracy: 1e-12)
        // Far out of focus the beam is a disk about D·z/f across (geometric optics), here 24 pixels
        // (a 2-pixel outer zone, so the defocus phase spans many waves): half its power within D/(2√2).
        let fine = 2 * pixel
        let focal = ZonePlateProbe.focalLength(diameter: 150e-6, outerZoneWidth: fine, wavelength: geometry.wavelength)
        let defocus = 24 * pixel * focal / 150e-6
        let spread = ZonePlateProbe.make(geometry: geometry, diameter: 150e-6, outerZoneWidth: fine, centralStop: 0,
                                         defocus: defocus, totalPower: 1)
        let power = (0..<spread.count).map {
            Double(spread.pointer[2 * $0] * spread.pointer[2 * $0] + spread.pointer[2 * $0 + 1] * spread.pointer[2 * $0 + 1])
        }
        XCTAssertEqual(halfPowerRadius(power), 12 / 2.0.squareRoot(), accuracy: 2.5)
    }

    /// Every model through the configuration: the requested number of modes and the data's power.
    func testParametricModelsFromTheConfigurationHaveTheDataPower() throws {
        var parameters = PtychographySimulation.Parameters(frameSize: 64, positionCount: 20)
        parameters.deadPixelFraction = 0
        let (dataset, _) = PtychographySimulation.run(parameters)
        var base = ReconstructionConfiguration()
        base.probeModes = 2
        var circular = base; circular.probeModel = "circular"; circular.probeDiameter = 3e-6; circular.probeDefocus = 1e-4
        var rectangular = base; rectangular.probeModel = "rectangular"; rectangular.probeWidth = 3e-6; rectangular.probeHeight = 2e-6
        var zonePlate = base; zonePlate.probeModel = "zone_plate"; zonePlate.zonePlateDiameter = 150e-6
        zonePlate.zonePlateOuterZoneWidth = 1e-6; zonePlate.zonePlateCentralStop = 50e-6; zonePlate.probeDefocus = 1e-3
        var gaussian = base; gaussian.probeModel = "gaussian"; gaussian.probeFWHM = 2e-6
        for configuration in [circular, rectangular, zonePlate, gaussian] {
            _ = try configuration.validated()
            let probe = try XCTUnwrap(try InitialProbe.parametric(configuration, for: dataset), configuration.probeModel)
            XCTAssertEqual(probe.shape, [2, 64, 64], configuration.probeModel)
            XCTAssertEqual(probe.totalPower(), InitialProbe.targetPower(dataset), accuracy: 1e-3 * InitialProbe.targetPower(dataset),
                           configuration.probeModel)
        }
        XCTAssertNil(try InitialProbe.parametric(base, for: dataset), "auto is the trial's job")
        // Outer zones finer than the pixel with a central stop: every frequency of the frame is blocked.
        var blocked = zonePlate
        blocked.zonePlateOuterZoneWidth = 60e-9
        XCTAssertThrowsError(try InitialProbe.parametric(blocked, for: dataset)) {
            XCTAssertTrue("\($0)".contains("'probe_model'"), "\($0)")
        }
    }

    func testModelOptionsAreCheckedWithTheKeyNamed() {
        func failure(_ change: (inout ReconstructionConfiguration) -> Void) -> String {
            var configuration = ReconstructionConfiguration()
            change(&configuration)
            do { _ = try configuration.validated(); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(failure { $0.probeModel = "disc" }.contains("'probe_model'"))
        XCTAssertTrue(failure { $0.probeModel = "circular" }.contains("'probe_diameter'"))
        XCTAssertTrue(failure { $0.probeModel = "rectangular"; $0.probeWidth = 1e-6 }.contains("'probe_height'"))
        XCTAssertTrue(failure { $0.probeModel = "zone_plate"; $0.zonePlateDiameter = 1e-4 }.contains("'zone_plate_outer_zone_width'"))
        XCTAssertTrue(failure { $0.probeModel = "gaussian" }.contains("'probe_fwhm'"))
        XCTAssertTrue(failure { $0.probeModel = "gaussian"; $0.probeFWHM = 1e-6; $0.probeDefocus = 1e-3 }.contains("'probe_defocus'"))
        XCTAssertTrue(failure { $0.probeModel = "file" }.contains("'probe'"))
        XCTAssertTrue(failure { $0.refinePositionsStart = 0 }.contains("'refine_positions_start'"))
        XCTAssertTrue(failure { $0.positionStepLimit = 0 }.contains("'position_step_limit'"))
        XCTAssertEqual(failure { $0.probeModel = "Gaussian"; $0.probeFWHM = 1e-6 }, "")
    }
}
