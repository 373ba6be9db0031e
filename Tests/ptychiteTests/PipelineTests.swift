import Foundation
import PtychoIO
import PtychoTestSupport
import XCTest

/// The main job end to end, as a user runs it: simulate → info → reconstruct → compare.
final class PipelineTests: XCTestCase {
    func testSimulateInfoReconstructCompare() throws {
        let directory = try TemporaryDirectory()
        let input = try CLIFixtures.simulate(in: directory)
        let truth = OutputNames.truth(for: input)
        XCTAssertTrue(FileManager.default.fileExists(atPath: truth), "simulate --truth wrote no truth file")

        try checkInfo(input)

        let result = directory.file("run.h5")
        let reconstruct = try PtychiteProcess.run(["reconstruct", input, "-o", result, "--progress", "jsonl"]
                                                  + CLIFixtures.quickPlan)
        assertSucceeded(reconstruct)
        try checkProgressLines(reconstruct.stdoutLines, plan: [("DM", 5), ("ePIE", 2)])
        for path in [result] + OutputNames.previews(for: result) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "missing \(path)")
        }
        for preview in OutputNames.previews(for: result) {
            let signature = FileManager.default.contents(atPath: preview)?.prefix(8)
            XCTAssertEqual(signature.map(Array.init), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
                           "\(preview) is not a PNG")
        }
        XCTAssertEqual(try directory.contents().filter(OutputNames.isTemporary), [], "temporary files left behind")
        XCTAssertEqual(try ResultReader().read(path: result).history.count, CLIFixtures.quickPlanIterations)

        let compare = try PtychiteProcess.run(["compare", result, truth])
        assertSucceeded(compare)
        let nrmse = try XCTUnwrap(Self.number(after: "Complex NRMSE: ", in: compare.stdout), compare.summary)
        XCTAssertTrue(nrmse.isFinite && nrmse >= 0, "NRMSE \(nrmse)")
    }

    /// `info` on a valid file: exit 0, and the facts a user needs before a run.
    private func checkInfo(_ input: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let info = try PtychiteProcess.run(["info", input])
        assertSucceeded(info, file: file, line: line)
        for fact in ["Frames: 60 of 64×64", "Object pixel:", "Memory (ePIE", "Memory (DM", "Status: ready to reconstruct"] {
            XCTAssertTrue(info.stdout.contains(fact), "info does not say \"\(fact)\": \(info.summary)", file: file, line: line)
        }
        XCTAssertFalse(info.stdout.contains("Problem:"), info.summary, file: file, line: line)
    }

    /// Every line of standard output is one JSON object of the job-service contract, and the lines count
    /// the plan's iterations in order.
    private func checkProgressLines(_ lines: [String], plan: [(engine: String, iterations: Int)],
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let total = plan.map(\.iterations).reduce(0, +)
        let engines = plan.flatMap { Array(repeating: $0.engine, count: $0.iterations) }
        XCTAssertEqual(lines.count, total, "one line per iteration: \(lines)", file: file, line: line)
        var previousSeconds = 0.0
        for (index, text) in lines.enumerated() {
            let record = try ProgressRecord(line: text)
            XCTAssertEqual(record.iteration, index + 1, text, file: file, line: line)
            XCTAssertEqual(record.of, total, text, file: file, line: line)
            if index < engines.count { XCTAssertEqual(record.engine, engines[index], text, file: file, line: line) }
            XCTAssertTrue(record.fourierError.isFinite && record.fourierError >= 0, text, file: file, line: line)
            XCTAssertTrue(record.poissonNLL.isFinite, text, file: file, line: line)
            XCTAssertGreaterThanOrEqual(record.seconds, previousSeconds, "seconds count since the start: \(text)",
                                        file: file, line: line)
            previousSeconds = record.seconds
        }
    }

    /// The first decimal number after `label`.
    static func number(after label: String, in text: String) -> Double? {
        guard let range = text.range(of: label) else { return nil }
        let digits = text[range.upperBound...].prefix { "0123456789.eE+-".contains($0) }
        return Double(digits)
    }
}
