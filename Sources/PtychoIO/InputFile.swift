#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHDF5

/// Opens a user's input file read-only, diagnosing in order: missing, unreadable (a directory, no
/// permission), not HDF5. Every failure is an `InputError` naming the file.
enum InputFile {
    static func openHDF5(_ path: String) throws -> HDF5File {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw InputError.missingFile(file: path) }
            throw InputError.unreadableFile(file: path, reason: String(cString: strerror(code)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            let reason = (status.st_mode & S_IFMT) == S_IFDIR ? "it is a directory" : "not a regular file"
            throw InputError.unreadableFile(file: path, reason: reason)
        }
        // open(2) reports permissions exactly as the process has them (root reads anything).
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw InputError.unreadableFile(file: path, reason: String(cString: strerror(errno)))
        }
        close(descriptor)
        HDF5Library.prepare()
        guard H5Fis_hdf5(path) > 0 else { throw InputError.notHDF5(file: path) }
        do {
            return try HDF5File.open(path)
        } catch {
            throw InputError.unreadableFile(file: path, reason: "HDF5 cannot open it")
        }
    }
}

extension HDF5File {
    /// Opens `datasetPath`, turning absence or HDF5 failures into `InputError`.
    func inputDataset(_ datasetPath: String) throws -> HDF5Dataset {
        guard exists(datasetPath) else { throw InputError.missingDataset(file: path, dataset: datasetPath) }
        do {
            return try dataset(datasetPath)
        } catch let error as HDF5Error {
            throw InputError.unreadableDataset(file: path, dataset: datasetPath, reason: error.problem)
        }
    }

    /// The first of `candidates` that exists, or nil.
    func firstExisting(_ candidates: [String]) -> String? { candidates.first { exists($0) } }

    /// Runs an HDF5 read of `datasetPath`, turning `HDF5Error` into `InputError.unreadableDataset`.
    func inputRead<T>(_ datasetPath: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HDF5Error {
            throw InputError.unreadableDataset(file: path, dataset: datasetPath, reason: error.problem)
        }
    }

    /// Reads a scalar (shape `()` or `(1,)`) that must be finite and > 0.
    func inputPositiveScalar(_ datasetPath: String) throws -> Double {
        let dataset = try inputDataset(datasetPath)
        guard dataset.elementKind.isNumeric else {
            throw InputError.unreadableDataset(file: path, dataset: datasetPath,
                                               reason: "holds \(dataset.elementKind), not a number")
        }
        guard dataset.elementCount == 1 else {
            throw InputError.wrongShape(file: path, dataset: datasetPath, expected: "a scalar", found: dataset.shape)
        }
        let value = try inputRead(datasetPath) { try dataset.read(Double.self)[0] }
        try InputError.requirePositive(value, file: path, dataset: datasetPath)
        return value
    }
}
