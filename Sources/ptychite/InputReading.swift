import PtychoIO

/// How the subcommands open an input: detect its layout, pick the reader, and report a problem with the
/// geometry options (missing for PtychoShelves, given for a layout that records its own) as a usage
/// error, because the user fixes it on the command line, not in the file.
enum InputReading {
    static func reader(for path: String, options: DatasetReaderOptions) throws
        -> (layout: InputLayout, reader: any DatasetReader) {
        try asUsageErrors { try InputLayout.reader(for: path, options: options) }
    }

    /// Runs `body`, turning `InputError`s that are option problems into `CommandFailure`s with exit 2.
    static func asUsageErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as InputError where error.isOptionProblem {
            throw CommandFailure(message: "\(error)", status: ExitStatus.usage)
        }
    }
}
