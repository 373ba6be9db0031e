import PtychoCore
import PtychoIO

// Initial guesses (issue 3, item 6): the starting object.
extension ReconstructionRunner {
    /// Ones (`object_init: ones`), or mode 0 of a previous result's object, which must have exactly the
    /// size this data set's scan needs (the same positions, frame size and geometry).
    func initialObject(for placement: ObjectPlacement) throws -> ComplexArray {
        let height = placement.objectHeight, width = placement.objectWidth
        guard let path = configuration.initialObjectFile else {
            let object = ComplexArray(shape: [height, width])
            object.fill(re: 1)
            return object
        }
        let previous = try ResultReader().readObject(path: path)
        guard previous.shape == [height, width] else {
            throw CommandFailure(message: "\(path): \(ResultLayout.objectData): the object is "
                                 + "\(previous.shape[0])×\(previous.shape[1]) but this data needs \(height)×\(width) "
                                 + "(start from a result of the same scan and geometry)",
                                 status: ExitStatus.inputOutput)
        }
        return previous
    }
}
