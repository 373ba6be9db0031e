/// A problem with a file the user gave Ptychite, reported as ONE line:
/// `<file>: <dataset>: <problem>` (or `<file>: <problem>` for problems with the file itself), e.g.
/// `data.cxi: /entry_1/instrument_1/detector_1/distance: must be > 0 (found -7.2)`.
///
/// The file is named as the user named it, datasets by their absolute path in the file.
public enum InputError: Error, CustomStringConvertible, Equatable, Sendable {
    case missingFile(file: String)
    /// The path exists but cannot be read as a file (a directory, no permission, an I/O error).
    case unreadableFile(file: String, reason: String)
    case notHDF5(file: String)
    /// `dataset` may name alternatives (`/a or /b`) when any of several paths would do.
    case missingDataset(file: String, dataset: String)
    /// The dataset exists but HDF5 cannot read it, or it holds the wrong kind of element.
    case unreadableDataset(file: String, dataset: String, reason: String)
    /// Wrong rank or extents; `expected` describes the accepted shapes, e.g. `(N, 3) or (3, N)`.
    case wrongShape(file: String, dataset: String, expected: String, found: [Int])
    /// `dataset` has `length` entries where it needs one per frame of `frames` (the data set's path).
    case lengthMismatch(file: String, dataset: String, length: Int, expected: Int, frames: String)
    case noFrames(file: String, dataset: String)
    case nonFiniteIntensity(file: String, dataset: String, frame: Int, row: Int, column: Int, value: Float)
    case negativeIntensity(file: String, dataset: String, frame: Int, row: Int, column: Int, value: Float)
    /// A physical quantity out of range: `requirement` is e.g. `must be > 0`.
    case invalidValue(file: String, dataset: String, requirement: String, found: Double)
    case maskShapeMismatch(file: String, dataset: String, found: [Int], expected: [Int])
    /// The file matches no layout Ptychite reads; `lookedFor` describes each layout's marker datasets.
    case unknownLayout(file: String, lookedFor: [String])
    /// A layout without physical units (`layout`) needs `option`; `dataset` is where it would have been.
    case missingOption(file: String, dataset: String, layout: InputLayout, option: GeometryOption)
    /// Geometry options were given for a layout that records its own geometry.
    case inapplicableOptions(file: String, layout: InputLayout, options: [GeometryOption])
    /// A geometry option given by the user is out of range.
    case invalidOption(file: String, option: GeometryOption, requirement: String, found: Double)

    /// The file as the user named it.
    public var file: String {
        switch self {
        case let .missingFile(file), let .unreadableFile(file, _), let .notHDF5(file),
             let .missingDataset(file, _), let .unreadableDataset(file, _, _), let .wrongShape(file, _, _, _),
             let .lengthMismatch(file, _, _, _, _), let .noFrames(file, _),
             let .nonFiniteIntensity(file, _, _, _, _, _), let .negativeIntensity(file, _, _, _, _, _),
             let .invalidValue(file, _, _, _), let .maskShapeMismatch(file, _, _, _),
             let .unknownLayout(file, _), let .missingOption(file, _, _, _), let .inapplicableOptions(file, _, _),
             let .invalidOption(file, _, _, _):
            return file
        }
    }

    /// The dataset concerned; nil for problems with the file as a whole.
    public var dataset: String? {
        switch self {
        case .missingFile, .unreadableFile, .notHDF5, .unknownLayout, .inapplicableOptions, .invalidOption:
            return nil
        case let .missingDataset(_, dataset), let .unreadableDataset(_, dataset, _), let .wrongShape(_, dataset, _, _),
             let .lengthMismatch(_, dataset, _, _, _), let .noFrames(_, dataset),
             let .nonFiniteIntensity(_, dataset, _, _, _, _), let .negativeIntensity(_, dataset, _, _, _, _),
             let .invalidValue(_, dataset, _, _), let .maskShapeMismatch(_, dataset, _, _),
             let .missingOption(_, dataset, _, _):
            return dataset
        }
    }

    /// What is wrong, without the file and dataset.
    public var problem: String {
        switch self {
        case .missingFile: return "no such file"
        case let .unreadableFile(_, reason): return "cannot read the file (\(reason))"
        case .notHDF5: return "not an HDF5 file"
        case .missingDataset: return "dataset is missing"
        case let .unreadableDataset(_, _, reason): return "cannot read the dataset (\(reason))"
        case let .wrongShape(_, _, expected, found):
            return "wrong shape: expected \(expected), found \(ShapeText.tuple(found))"
        case let .lengthMismatch(_, _, length, expected, frames):
            return "has \(length) entries, expected \(expected) (one per frame of \(frames))"
        case .noFrames: return "contains zero frames"
        case let .nonFiniteIntensity(_, _, frame, row, column, value):
            return "non-finite intensity \(value) at frame \(frame), row \(row), column \(column)"
                + Self.maskingHint
        case let .negativeIntensity(_, _, frame, row, column, value):
            return "negative intensity \(value) at frame \(frame), row \(row), column \(column)" + Self.maskingHint
        case let .invalidValue(_, _, requirement, found): return "\(requirement) (found \(found))"
        case let .maskShapeMismatch(_, _, found, expected):
            return "mask shape \(ShapeText.tuple(found)) does not match the frame shape \(ShapeText.tuple(expected))"
        case let .unknownLayout(_, lookedFor):
            return "not a layout Ptychite reads (looked for \(lookedFor.joined(separator: "; ")))"
        case let .missingOption(_, _, layout, option):
            return "\(layout.rawValue) files record no \(option.quantity); pass \(option.howToPass)"
        case let .inapplicableOptions(_, layout, options):
            let flags = options.map(\.flag).joined(separator: ", ")
            return "\(flags) \(options.count == 1 ? "applies" : "apply") only to \(InputLayout.ptychoShelves.rawValue) "
                + "input; this \(layout.rawValue) file records its own geometry"
        case let .invalidOption(_, option, requirement, found):
            return "\(option.howToPass): \(requirement) (found \(found))"
        }
    }

    /// Appended to the bad-value errors: the way to read such a file anyway.
    static let maskingHint = " (a detector gap without a mask? invalid_values mask, or --invalid-values mask, masks such pixels)"

    public var description: String {
        [file, dataset, problem].compactMap { $0 }.joined(separator: ": ")
    }

    /// True for problems the user fixes on the command line or in the configuration, not in the file.
    public var isOptionProblem: Bool {
        switch self {
        case .missingOption, .inapplicableOptions, .invalidOption: return true
        default: return false
        }
    }

    /// Requires `value` finite and > 0 (energies, distances, pixel sizes).
    static func requirePositive(_ value: Double, file: String, dataset: String) throws {
        guard value.isFinite else {
            throw InputError.invalidValue(file: file, dataset: dataset, requirement: "must be finite", found: value)
        }
        guard value > 0 else {
            throw InputError.invalidValue(file: file, dataset: dataset, requirement: "must be > 0", found: value)
        }
    }
}
