import PtychoCore
import XCTest

final class EngineExplorationTests: XCTestCase {
    func testExplore() throws {
        for (plan, truthProbe, start) in [("DM:40", true, 1000), ("DM:60", false, 3), ("ePIE:30", false, 3), ("DM:40,ePIE:10", false, 3)] {
            var c = EngineTestCase()
            c.useTrueProbe = truthProbe
            c.probeStart = start
            let r = try c.run(plan: plan)
            print("EXPLORE \(plan) truthprobe \(truthProbe) start \(r.start) end \(r.end) err \(r.history.map { String(format: "%.3g", $0.fourierError) }.joined(separator: " "))")
        }
    }
}
