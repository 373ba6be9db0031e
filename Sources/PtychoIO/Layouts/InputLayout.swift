/// The on-disk layouts Ptychite reads (spec: data-format.md, "Inputs"), told apart by the datasets present.
public enum InputLayout: String, Sendable, CaseIterable, Equatable {
    case cxi = "CXI"
    case ptychoShelves = "PtychoShelves"
    case ptyLab = "PtyLab"

    /// The objects whose presence identifies the layout; any one of them is enough. Groups count, so a
    /// file of the layout that lacks its frames is still recognised and its reader names what is missing.
    public var markers: [String] {
        switch self {
        case .cxi: return CXILayout.dataPaths + [CXILayout.entry]
        case .ptychoShelves: return [PtychoShelvesLayout.group]
        case .ptyLab: return [PtyLabLayout.ptychogram]
        }
    }

    /// The layout of the HDF5 file at `path`: the first of `allCases` one of whose markers exists.
    /// Throws `InputError` when the file cannot be opened or matches no layout (the error lists the
    /// datasets looked for).
    public static func detect(path: String) throws -> InputLayout {
        let file = try InputFile.openHDF5(path)
        defer { try? file.close() }
        return try detect(file)
    }

    static func detect(_ file: HDF5File) throws -> InputLayout {
        if let layout = allCases.first(where: { file.firstExisting($0.markers) != nil }) { return layout }
        throw InputError.unknownLayout(file: file.path, lookedFor: allCases.map {
            "\($0.markers.joined(separator: " or ")) (\($0.rawValue))"
        })
    }
}
