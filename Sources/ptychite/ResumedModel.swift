import PtychoCore
import PtychoIO

/// The model a resumed run starts from: the checkpoint's object and probe, checked against the data it
/// is resumed on (same frames, same frame size, same object grid).
enum ResumedModel {
    static func make(from contents: CheckpointContents, dataset: DiffractionDataset,
                     placement: ObjectPlacement) throws -> ReconstructionModel {
        let object = contents.result.object, probe = contents.result.probe
        func mismatch(_ what: String) -> CommandFailure {
            CommandFailure(message: "\(contents.inputPath): does not match the checkpoint: \(what)",
                           status: ExitStatus.inputOutput)
        }
        guard contents.result.initialPositions.count == dataset.frameCount else {
            throw mismatch("\(dataset.frameCount) frames, the checkpoint has \(contents.result.initialPositions.count) positions")
        }
        guard Array(probe.shape.suffix(2)) == [dataset.frameHeight, dataset.frameWidth] else {
            throw mismatch("frames are \(dataset.frameHeight)×\(dataset.frameWidth), the checkpoint's probe is "
                           + "\(probe.shape[1])×\(probe.shape[2])")
        }
        guard object.shape == [1, placement.objectHeight, placement.objectWidth] else {
            throw mismatch("the object would be \(placement.objectHeight)×\(placement.objectWidth), the checkpoint's is "
                           + "\(object.shape[1])×\(object.shape[2])")
        }
        let model = ReconstructionModel(object: ComplexArray(copying: object, shape: [placement.objectHeight, placement.objectWidth]),
                                        probe: probe, placement: placement, positions: dataset.positions)
        // Refined positions move the patches; put them where the interrupted run had them.
        model.setPositions(contents.result.refinedPositions)
        return model
    }
}
