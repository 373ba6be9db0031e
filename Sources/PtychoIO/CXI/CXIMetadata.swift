import PtychoCore

/// Reads and validates the small CXI datasets (everything except the frames). Each method throws the
/// first `InputError` it finds for its own datasets, so `CXIReader.inspect` can run them one by one and
/// collect every problem.
struct CXIMetadata {
    let file: HDF5File
    var path: String { file.path }

    /// The frames dataset: numeric, `(N, ny, nx)` with N ≥ 1 and non-empty frames.
    func frames() throws -> HDF5Dataset {
        guard let dataPath = file.firstExisting(CXILayout.dataPaths) else {
            throw InputError.missingDataset(file: path, dataset: CXILayout.dataPaths.joined(separator: " or "))
        }
        return try file.inputFrames(dataPath)
    }

    /// Energy (J), distance (m) and pixel pitch (m), each finite and > 0.
    func geometry(frameHeight: Int, frameWidth: Int, warnings: inout [String]) throws -> ExperimentGeometry {
        let energy = try self.energy(warnings: &warnings)
        let distance = try self.distance(warnings: &warnings)
        let pixel = try pixelSize(warnings: &warnings)
        return ExperimentGeometry(energy: energy, distance: distance, detectorPixelSizeY: pixel.y,
                                  detectorPixelSizeX: pixel.x, frameHeight: frameHeight, frameWidth: frameWidth)
    }

    func energy(warnings: inout [String]) throws -> Double {
        let energy: Double
        let source: String
        if let energyPath = file.firstExisting(CXILayout.energyPaths) {
            energy = try file.inputPositiveScalar(energyPath)
            source = energyPath
        } else if let wavelengthPath = file.firstExisting(CXILayout.wavelengthPaths) {
            energy = PhysicalConstants.energy(forWavelength: try file.inputPositiveScalar(wavelengthPath))
            source = wavelengthPath
        } else {
            let candidates = CXILayout.energyPaths + CXILayout.wavelengthPaths
            throw InputError.missingDataset(file: path, dataset: candidates.joined(separator: " or "))
        }
        // 10 eV … 10 MeV: anything outside is almost certainly eV or keV stored where CXI wants joules.
        let electronvolts = energy / PhysicalConstants.electronvolt
        if electronvolts < 10 || electronvolts > 1e7 {
            warnings.append("\(path): \(source): photon energy \(electronvolts) eV is implausible "
                            + "(CXI stores joules for energy, metres for wavelength)")
        }
        return energy
    }

    /// A scalar, or one value per frame: every value finite and > 0; the mean is used.
    func distance(warnings: inout [String]) throws -> Double {
        let datasetPath = CXILayout.distance
        let dataset = try file.inputDataset(datasetPath)
        guard dataset.elementCount == 1 else {
            guard dataset.shape.count == 1, dataset.elementKind.isNumeric else {
                throw InputError.wrongShape(file: path, dataset: datasetPath,
                                            expected: "a scalar or (N,)", found: dataset.shape)
            }
            let values = try file.inputRead(datasetPath) { try dataset.read(Double.self) }
            for value in values { try InputError.requirePositive(value, file: path, dataset: datasetPath) }
            let mean = values.reduce(0, +) / Double(values.count)
            let spread = values.max()! - values.min()!
            if spread > 1e-6 * mean {
                warnings.append("\(path): \(datasetPath): varies between frames (\(values.min()!) to "
                                + "\(values.max()!) m); using the mean \(mean) m")
            }
            return mean
        }
        return try file.inputPositiveScalar(datasetPath)
    }

    /// Both pitches; a file with only one is taken as square pixels, with a warning.
    func pixelSize(warnings: inout [String]) throws -> (y: Double, x: Double) {
        let hasX = file.exists(CXILayout.xPixelSize), hasY = file.exists(CXILayout.yPixelSize)
        if hasX != hasY {
            let (present, absent) = hasX ? (CXILayout.xPixelSize, CXILayout.yPixelSize)
                                         : (CXILayout.yPixelSize, CXILayout.xPixelSize)
            let value = try file.inputPositiveScalar(present)
            warnings.append("\(path): \(absent): missing; assuming square pixels of \(value) m from \(present)")
            return (value, value)
        }
        return (try file.inputPositiveScalar(CXILayout.yPixelSize), try file.inputPositiveScalar(CXILayout.xPixelSize))
    }

    /// Probe positions in metres, `y` from axis 1 and `x` from axis 0 of the translation; negated when
    /// the file holds the sample translation.
    func positions(frameCount: Int, dataPath: String, convention: TranslationConvention) throws
        -> (positions: ScanPositions, layout: TranslationLayout) {
        let datasetPath = CXILayout.translation
        let dataset = try file.inputDataset(datasetPath)
        let layout = try translationLayout(dataset, frameCount: frameCount, dataPath: dataPath)
        guard dataset.elementKind.isNumeric else {
            throw InputError.unreadableDataset(file: path, dataset: datasetPath,
                                               reason: "holds \(dataset.elementKind), not numbers")
        }
        let values = try file.inputRead(datasetPath) { try dataset.read(Double.self) }
        let sign: Double = convention == .sample ? -1 : 1
        func component(_ axis: Int, _ frame: Int) -> Double {
            layout == .framesByAxes ? values[3 * frame + axis] : values[axis * frameCount + frame]
        }
        var y = [Double](repeating: 0, count: frameCount), x = y
        for frame in 0..<frameCount {
            x[frame] = sign * component(0, frame)
            y[frame] = sign * component(1, frame)
            guard x[frame].isFinite, y[frame].isFinite else {
                throw InputError.invalidValue(file: path, dataset: datasetPath,
                                              requirement: "position of frame \(frame) must be finite",
                                              found: x[frame].isFinite ? y[frame] : x[frame])
            }
        }
        return (ScanPositions(y: y, x: x), layout)
    }

    /// `(N, 3)` or `(3, N)`; when N == 3 both match and `(N, 3)`, the CXI text's layout, wins.
    func translationLayout(_ dataset: HDF5Dataset, frameCount: Int, dataPath: String) throws -> TranslationLayout {
        let shape = dataset.shape
        if shape == [frameCount, 3] { return .framesByAxes }
        if shape == [3, frameCount] { return .axesByFrames }
        if shape.count == 2, shape[1] == 3 {
            throw InputError.lengthMismatch(file: path, dataset: dataset.path, length: shape[0],
                                            expected: frameCount, frames: dataPath)
        }
        if shape.count == 2, shape[0] == 3 {
            throw InputError.lengthMismatch(file: path, dataset: dataset.path, length: shape[1],
                                            expected: frameCount, frames: dataPath)
        }
        throw InputError.wrongShape(file: path, dataset: dataset.path,
                                    expected: "(N, 3) or (3, N) with N = \(frameCount)", found: shape)
    }
}
