import PtychoCore
import XCTest

/// Prints full-precision metrics of short DM and ePIE runs, to compare builds (not an assertion).
final class EngineDigestTests: XCTestCase {
    func testDigest() throws {
        for (plan, threads) in [("DM:15", 2), ("DM:8", 1), ("ePIE:8", 2)] {
            var c = EngineTestCase()
            c.probeStart = 3
            let r = try c.run(plan: plan, threads: threads)
            let errors = r.history.map { String(format: "%.9g", $0.fourierError) }.joined(separator: " ")
            let nll = r.history.map { String(format: "%.9g", $0.poissonNLL) }.joined(separator: " ")
            print("DIGEST \(plan) threads \(threads) end \(String(format: "%.9g", r.end))\n  err \(errors)\n  nll \(nll)")
        }
    }
}
