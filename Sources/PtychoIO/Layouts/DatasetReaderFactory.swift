import PtychoCore

/// What the user said about reading an input, whatever its layout.
public struct DatasetReaderOptions: Sendable, Equatable {
    /// How a CXI translation is read; ignored by layouts without one.
    public var translationConvention: TranslationConvention
    /// Required by PtychoShelves, refused by layouts that record their own geometry.
    public var geometry: GeometryOptions

    public init(translationConvention: TranslationConvention = .sample, geometry: GeometryOptions = GeometryOptions()) {
        self.translationConvention = translationConvention
        self.geometry = geometry
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
        case .cxi: return CXIReader(translationConvention: options.translationConvention)
        case .ptychoShelves: return PtychoShelvesReader(geometry: options.geometry)
        case .ptyLab: return PtyLabReader()
        }
    }

    /// Detects the layout of `path` and returns it with its reader.
    public static func reader(for path: String, options: DatasetReaderOptions) throws
        -> (layout: InputLayout, reader: any DatasetReader) {
        let layout = try detect(path: path)
        return (layout, try layout.reader(options: options, file: path))
    }
}
