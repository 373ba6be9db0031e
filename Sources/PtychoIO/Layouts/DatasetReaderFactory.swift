import PtychoCore

/// What the user said about reading an input, whatever its layout.
public struct DatasetReaderOptions: Sendable, Equatable {
    /// How a CXI translation is read; ignored by layouts without one.
    public var translationConvention: TranslationConvention
    /// Required by PtychoShelves, refused by layouts that record their own geometry.
    public var geometry: GeometryOptions
    /// Negative or non-finite values on good pixels: refused (the default), or their pixels masked.
    public var invalidValues: InvalidValuePolicy

    public init(translationConvention: TranslationConvention = .sample, geometry: GeometryOptions = GeometryOptions(),
                invalidValues: InvalidValuePolicy = .refuse) {
        self.translationConvention = translationConvention
        self.geometry = geometry
        self.invalidValues = invalidValues
    }
}

extension InputLayout {
    /// The reader for this layout. Geometry options given for a layout that records its own geometry are
    /// refused (`InputError.inapplicableOptions` naming `file`) rather than silently ignored or applied.
    public func reader(options: DatasetReaderOptions, file: String) throws -> any DatasetReader {
        if self != .ptychoShelves, !options.geometry.given.isEmpty {
            throw InputError.inapplicableOptions(file: file, layout: self, options: options.geometry.given)
        }
        switch self {
        case .cxi: return CXIReader(translationConvention: options.translationConvention,
                                    invalidValues: options.invalidValues)
        case .ptychoShelves: return PtychoShelvesReader(geometry: options.geometry, invalidValues: options.invalidValues)
        case .ptyLab: return PtyLabReader(invalidValues: options.invalidValues)
        }
    }

    /// Detects the layout of `path` and returns it with its reader.
    public static func reader(for path: String, options: DatasetReaderOptions) throws
        -> (layout: InputLayout, reader: any DatasetReader) {
        let layout = try detect(path: path)
        return (layout, try layout.reader(options: options, file: path))
    }
}
