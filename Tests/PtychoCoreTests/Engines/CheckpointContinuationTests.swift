import PtychoCore
import XCTest

/// Resuming from a checkpoint taken in the middle of a stage or at a stage boundary, for engines that
/// carry state (DM's exit waves, ePIE's order, mPIE's momentum, RAAR's exit waves) and with the refined
/// background, continues bit-for-bit like the run that was never stopped (same threads, same plans).
final class CheckpointContinuationTests: XCTestCase {
    private let plan = try! EnginePlan(parsing: "DM:3,ePIE:3,mPIE:3,RAAR:3")

    func testResumingFromCheckpointsContinuesBitForBit() throws {
        let reference = makeReconstruction()
        reference.run(plan: plan)

        let saved = SavedCheckpoints()
        let interrupted = makeReconstruction()
        interrupted.run(plan: plan, checkpoints: CheckpointPolicy(every: 2) { checkpoint in
            saved.items.append(SavedCheckpoint(checkpoint, model: interrupted.model))
        })
        XCTAssertEqual(saved.items.map { $0.checkpoint.history.count }, [2, 4, 6, 8, 10, 12])
        XCTAssertEqual(saved.items.map { $0.checkpoint.stage }, [0, 1, 1, 2, 3, 3])
        XCTAssertNotNil(saved.items[0].checkpoint.engineState.complexArrays["exit_waves"], "DM saves its exit waves")
        XCTAssertNotNil(saved.items[1].checkpoint.engineState.integers["visiting_order"], "ePIE saves its order")
        XCTAssertEqual(saved.items[3].checkpoint.engineState.complexArrays.count, 4, "mPIE saves its momentum")
        XCTAssertNotNil(saved.items[0].checkpoint.background, "the refined background is saved")

        for item in saved.items.dropLast() {
            let resumed = makeReconstruction()
            resumed.model.object.storage.update(from: item.object.storage)
            resumed.model.probe.storage.update(from: item.probe.storage)
            let history = try resumed.resume(plan: plan, from: item.checkpoint)
            let label = "resumed after iteration \(item.checkpoint.history.count)"
            XCTAssertEqual(history.map(\.iteration), Array(1...12), label)
            XCTAssertEqual(history.map(\.fourierError), reference.history.map(\.fourierError), label)
            XCTAssertTrue(Array(resumed.model.object.storage) == Array(reference.model.object.storage), label)
            XCTAssertTrue(Array(resumed.model.probe.storage) == Array(reference.model.probe.storage), label)
        }
    }

    func testACheckpointThatDoesNotFitThePlanIsRefused() throws {
        let saved = SavedCheckpoints()
        let run = makeReconstruction()
        run.run(plan: plan, checkpoints: CheckpointPolicy(every: 9) { saved.items.append(SavedCheckpoint($0, model: run.model)) })
        let shorter = try EnginePlan(parsing: "DM:3,ePIE:3,mPIE:2")
        XCTAssertThrowsError(try makeReconstruction().resume(plan: shorter, from: saved.items[0].checkpoint)) {
            XCTAssertTrue("\($0)".contains("does not fit the plan"), "\($0)")
        }
        var missing = saved.items[0].checkpoint
        missing.engineState = EngineState()
        XCTAssertThrowsError(try makeReconstruction().resume(plan: plan, from: missing)) {
            XCTAssertEqual($0 as? EngineStateError, .missing("visiting_order"))
        }
    }

    /// Two threads (DM's per-worker sums) and two probe modes; estimated FFT plans are the same each time.
    private func makeReconstruction() -> Reconstruction<CPUBackend> {
        var parameters = PtychographySimulation.Parameters(frameSize: 32, positionCount: 40)
        parameters.probeModeCount = 2
        parameters.seed = 3
        let (dataset, truth) = PtychographySimulation.run(parameters)
        let placement = ObjectPlacement(positions: dataset.positions, pixelSize: dataset.geometry.objectPixelSize,
                                        frameHeight: 32, frameWidth: 32)
        let object = ComplexArray(shape: [placement.objectHeight, placement.objectWidth])
        object.fill(re: 1)
        let probe = InitialProbe.withModes(truth.probe, modes: 2, modePower: 0.05, seed: 1)
        let model = ReconstructionModel(object: object, probe: probe, placement: placement)
        var configuration = ReconstructionConfiguration()
        configuration.probeUpdateStart = 2
        configuration.background = true
        return Reconstruction(model: model, data: MeasuredData(consuming: dataset, threads: 2),
                              configuration: configuration, threads: 2, planningEffort: .estimate,
                              sequentialPlanThreaded: false)
    }
}

/// A checkpoint and the model it belongs to, copied out of the running reconstruction (whose arrays the
/// checkpoint only references).
private struct SavedCheckpoint {
    var checkpoint: ReconstructionCheckpoint
    let object: ComplexArray
    let probe: ComplexArray

    init(_ live: ReconstructionCheckpoint, model: ReconstructionModel) {
        checkpoint = live
        checkpoint.engineState.complexArrays = live.engineState.complexArrays.mapValues { ComplexArray(copying: $0) }
        checkpoint.background = live.background.map { RealArray(shape: $0.shape, values: Array($0.storage)) }
        object = ComplexArray(copying: model.object)
        probe = ComplexArray(copying: model.probe)
    }
}

private final class SavedCheckpoints: @unchecked Sendable {
    var items: [SavedCheckpoint] = []
}
