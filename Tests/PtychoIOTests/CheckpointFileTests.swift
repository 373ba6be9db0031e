import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

final class CheckpointFileTests: XCTestCase {
    private func sampleContents() -> CheckpointContents {
        var random = RandomSource(seed: 42)
        _ = random.next()
        var state = EngineState()
        let waves = ComplexArray(shape: [3, 2, 3, 4])
        for index in 0..<waves.count { waves[flat: index] = (Float(index) / 3, -Float(index) * 1e-30) }
        state.complexArrays["exit_waves"] = waves
        state.realArrays["background"] = RealArray(shape: [3, 4], values: (0..<12).map { Float($0) + 0.5 })
        state.integers["visiting_order"] = [2, 0, 1]
        state.numbers["cg_norms"] = [1.0 / 3, 1e-300]
        let checkpoint = ReconstructionCheckpoint(stage: 1, iterationsDoneInStage: 1, random: random,
                                                  engineState: state, history: ResultFileTests.sampleResult().history)
        return CheckpointContents(result: ResultFileTests.sampleResult(), checkpoint: checkpoint,
                                  inputPath: "/data/scan 7/ünïcode.cxi", fftWisdom: FFTWisdom.exported(),
                                  threads: 3, sequentialPlanThreaded: true)
    }

    func testEverythingRoundTripsExactly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.checkpoint.h5")
        let written = sampleContents()
        try CheckpointWriter().write(written, to: path)
        let read = try CheckpointReader().read(path: path)

        XCTAssertEqual(read.checkpoint.stage, 1)
        XCTAssertEqual(read.checkpoint.iterationsDoneInStage, 1)
        XCTAssertEqual(read.checkpoint.random, written.checkpoint.random)
        XCTAssertEqual(read.checkpoint.history, written.checkpoint.history)
        XCTAssertEqual(read.inputPath, written.inputPath)
        XCTAssertEqual(read.fftWisdom, written.fftWisdom)
        XCTAssertEqual(read.threads, 3)
        XCTAssertTrue(read.sequentialPlanThreaded)
        let state = read.checkpoint.engineState, expected = written.checkpoint.engineState
        let waves = try state.complexArray("exit_waves", shape: [3, 2, 3, 4])
        XCTAssertTrue(Array(waves.storage) == Array(expected.complexArrays["exit_waves"]!.storage))
        XCTAssertEqual(Array(try state.realArray("background", shape: [3, 4]).storage),
                       Array(expected.realArrays["background"]!.storage))
        XCTAssertEqual(try state.integers("visiting_order"), [2, 0, 1])
        XCTAssertEqual(try state.numbers("cg_norms"), [1.0 / 3, 1e-300])
        XCTAssertTrue(Array(read.result.object.storage) == Array(written.result.object.storage))
        XCTAssertTrue(Array(read.result.probe.storage) == Array(written.result.probe.storage))
        XCTAssertEqual(try directory.contents(), ["run.checkpoint.h5"], "no temporary left behind")
    }

    func testAResultIsNotACheckpoint() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("result.h5")
        try ResultWriter().write(ResultFileTests.sampleResult(), to: path)
        XCTAssertThrowsError(try CheckpointReader().read(path: path)) {
            XCTAssertTrue("\($0)".hasPrefix("\(path): /entry_1/process_1/checkpoint"), "\($0)")
        }
    }

    func testAFailedCheckpointWriteKeepsThePreviousOne() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.checkpoint.h5")
        try CheckpointWriter().write(sampleContents(), to: path)
        var broken = sampleContents()
        broken.result.modePower = [1]   // two probe modes: the writer refuses it midway through the file
        XCTAssertThrowsError(try CheckpointWriter().write(broken, to: path))
        XCTAssertEqual(try CheckpointReader().read(path: path).threads, 3)
        XCTAssertEqual(try directory.contents(), ["run.checkpoint.h5"])
    }
}
