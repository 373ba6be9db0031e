import PtychoCore
import XCTest

final class IncoherentProbeModesTests: XCTestCase {
    /// ⟨a[sliceA], b[sliceB]⟩ = Σ conj(a)·b, double precision.
    private func innerProduct(_ first: ComplexArray, _ sliceA: Int, _ second: ComplexArray,
                              _ sliceB: Int) -> (re: Double, im: Double) {
        let (a, pixels) = FrameMeasure.frame(first, sliceA), (b, _) = FrameMeasure.frame(second, sliceB)
        var re = 0.0, im = 0.0
        for index in 0..<pixels {
            let (ar, ai) = (Double(a[2 * index]), Double(a[2 * index + 1]))
            let (br, bi) = (Double(b[2 * index]), Double(b[2 * index + 1]))
            re += ar * br + ai * bi
            im += ar * bi - ai * br
        }
        return (re, im)
    }

    func testExtraModesAreOrthogonalWithRequestedPower() {
        let geometry = FrameMeasure.geometry(frameSize: 64)
        let coherent = ApertureProbe.make(geometry: geometry, apertureRadius: 10, beamDiameter: 3e-6,
                                          astigmatism: 0.2, totalPower: 5e5)
        for count in [1, 3, 11] {
            var rng = RandomSource(seed: 3)
            let fraction = 0.05
            let modes = ApertureProbe.addIncoherentModes(to: coherent, count: count, powerFraction: fraction, rng: &rng)
            XCTAssertEqual(modes.shape, [count + 1, 64, 64])
            XCTAssertEqual(modes.totalPower(), 5e5, accuracy: 5e5 * 1e-5)
            var norms: [Double] = []
            for mode in 0...count {
                let power = innerProduct(modes, mode, modes, mode).re
                norms.append(power.squareRoot())
                let expected = mode == 0 ? 1 - Double(count) * fraction : fraction
                XCTAssertEqual(power / 5e5, expected, accuracy: 1e-5, "mode \(mode) of \(count + 1)")
            }
            for i in 0...count {
                for j in (i + 1)..<(count + 1) {
                    let product = innerProduct(modes, i, modes, j)
                    let overlap = (product.re * product.re + product.im * product.im).squareRoot() / (norms[i] * norms[j])
                    XCTAssertLessThan(overlap, 1e-4, "modes \(i), \(j)")
                }
            }
            // Mode 0 keeps the coherent probe's shape.
            let shape = innerProduct(coherent, 0, modes, 0)
            let correlation = (shape.re * shape.re + shape.im * shape.im).squareRoot()
                / (coherent.totalPower().squareRoot() * norms[0])
            XCTAssertEqual(correlation, 1, accuracy: 1e-5)
        }
    }

    func testNoExtraModesReturnsTheProbe() {
        let coherent = ApertureProbe.make(geometry: FrameMeasure.geometry(frameSize: 32), apertureRadius: 5,
                                          beamDiameter: 0, totalPower: 1)
        var rng = RandomSource(seed: 1)
        let modes = ApertureProbe.addIncoherentModes(to: coherent, count: 0, powerFraction: 0.05, rng: &rng)
        XCTAssertEqual(modes.shape, [1, 32, 32])
        let largest = coherent.storage.map { abs($0) }.max()!
        for index in 0..<(2 * coherent.count) {
            XCTAssertEqual(modes.storage[index], coherent.storage[index], accuracy: 1e-6 * largest)
        }
    }
}
