/// Which quantity a file's translation dataset holds.
public enum TranslationConvention: String, Sendable, Codable, CaseIterable {
    /// The CXI 1.6 text: the sample's translation; the probe position is its negative.
    case sample
    /// PyNX, PtyPy and ptychodus: the probe position itself.
    case probe
}

/// A measured ptychography data set in SI units, as every reader hands it to the engines.
///
/// Invariants (enforced by readers): `intensities.shape == [N, ny, nx]` with N ≥ 1, N == positions.count,
/// every intensity finite and ≥ 0, frames centred (zero frequency at `[ny/2, nx/2]`),
/// `mask.shape == [ny, nx]` with 1 = good pixel and 0 = bad pixel, `geometry` frame extents equal ny, nx.
public final class DiffractionDataset: @unchecked Sendable {
    public var geometry: ExperimentGeometry
    /// Probe positions relative to the object, m.
    public var positions: ScanPositions
    /// Photon counts, `[N, ny, nx]`, centred.
    public let intensities: RealArray
    /// 1 = good pixel, 0 = bad, `[ny, nx]`.
    public let mask: RealArray
    /// Where the data came from (a path or "simulation").
    public var source: String

    public init(geometry: ExperimentGeometry, positions: ScanPositions, intensities: RealArray,
                mask: RealArray, source: String) {
        precondition(intensities.shape.count == 3 && intensities.shape[0] == positions.count,
                     "intensities must be [N, ny, nx] with N = positions.count")
        precondition(mask.shape == Array(intensities.shape.dropFirst()), "mask must be [ny, nx]")
        self.geometry = geometry
        self.positions = positions
        self.intensities = intensities
        self.mask = mask
        self.source = source
    }

    public var frameCount: Int { intensities.shape[0] }
    public var frameHeight: Int { intensities.shape[1] }
    public var frameWidth: Int { intensities.shape[2] }

    /// Number of good detector pixels.
    public var goodPixelCount: Int { mask.storage.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// Mean over frames of the total counts on good pixels.
    public func meanFrameIntensity() -> Double {
        let pixels = frameHeight * frameWidth
        var total = 0.0
        for f in 0..<frameCount {
            let frame = intensities.slice(f)
            var s: Float = 0
            for p in 0..<pixels { s += frame[p] * mask.storage[p] }
            total += Double(s)
        }
        return total / Double(frameCount)
    }
}

/// The known answer of a simulation, written to a file separate from the measured data.
public struct SimulationTruth: @unchecked Sendable {
    /// Complex transmission `[H, W]` on the same grid the reconstruction uses.
    public var object: ComplexArray
    /// Probe modes `[k, ny, nx]`, ordered by decreasing power.
    public var probe: ComplexArray
    /// True probe positions, m.
    public var positions: ScanPositions
    /// Object pixel size, m (y, x).
    public var pixelSize: (y: Double, x: Double)
    /// Object pixel that corresponds to position (0, 0).
    public var originRow: Double
    public var originColumn: Double
    /// Expected background counts per pixel `[ny, nx]`, centred (detector layout); nil when none.
    public var background: RealArray? = nil

    public init(object: ComplexArray, probe: ComplexArray, positions: ScanPositions,
                pixelSize: (y: Double, x: Double), originRow: Double, originColumn: Double) {
        self.object = object
        self.probe = probe
        self.positions = positions
        self.pixelSize = pixelSize
        self.originRow = originRow
        self.originColumn = originColumn
    }
}

/// One iteration's record in the reconstruction history.
public struct IterationRecord: Sendable, Equatable, Codable {
    /// 1-based iteration number counted across the whole engine plan.
    public var iteration: Int
    public var engine: String
    /// Σ m(|Ψ|−√I)² / Σ m·I.
    public var fourierError: Double
    /// Poisson negative log-likelihood per observed pixel.
    public var poissonNLL: Double
    /// Wall-clock seconds since the reconstruction started.
    public var seconds: Double
    /// Fraction of the total probe power in each mode after the iteration (sums to 1); empty when not
    /// recorded (files written before it existed).
    public var modePower: [Float]

    public init(iteration: Int, engine: String, fourierError: Double, poissonNLL: Double, seconds: Double,
                modePower: [Float] = []) {
        self.iteration = iteration
        self.engine = engine
        self.fourierError = fourierError
        self.poissonNLL = poissonNLL
        self.seconds = seconds
        self.modePower = modePower
    }
}

/// Provenance strings recorded in every result file.
public struct Provenance: Sendable, Equatable, Codable {
    public var program: String
    public var version: String
    public var command: String
    public var date: String
    public var device: String

    public init(program: String = "ptychite", version: String, command: String, date: String, device: String) {
        self.program = program
        self.version = version
        self.command = command
        self.date = date
        self.device = device
    }
}

/// Everything a reconstruction produces; the result writer stores it in the spec's layout.
public struct ReconstructionResult: @unchecked Sendable {
    /// `[1, H, W]` complex object.
    public var object: ComplexArray
    public var objectPixelSize: (y: Double, x: Double)
    /// `[H, W]`: Σ over positions of Σ_k |P_k|².
    public var illumination: RealArray
    /// `[k, ny, nx]` probe modes ordered by decreasing power.
    public var probe: ComplexArray
    /// Fraction of the total probe power in each mode; sums to 1.
    public var modePower: [Float]
    public var initialPositions: ScanPositions
    public var refinedPositions: ScanPositions
    public var history: [IterationRecord]
    /// The complete configuration after defaults were applied, as JSON.
    public var configurationJSON: String
    public var provenance: Provenance
    /// Geometry copied from the input.
    public var geometry: ExperimentGeometry
    /// Which translation convention was used on read.
    public var translationConvention: TranslationConvention
    /// The refined incoherent background `[ny, nx]`, detector layout (centred, as the files' frames);
    /// nil when the model has none.
    public var background: RealArray? = nil

    public init(object: ComplexArray, objectPixelSize: (y: Double, x: Double), illumination: RealArray,
                probe: ComplexArray, modePower: [Float], initialPositions: ScanPositions,
                refinedPositions: ScanPositions, history: [IterationRecord], configurationJSON: String,
                provenance: Provenance, geometry: ExperimentGeometry,
                translationConvention: TranslationConvention) {
        self.object = object
        self.objectPixelSize = objectPixelSize
        self.illumination = illumination
        self.probe = probe
        self.modePower = modePower
        self.initialPositions = initialPositions
        self.refinedPositions = refinedPositions
        self.history = history
        self.configurationJSON = configurationJSON
        self.provenance = provenance
        self.geometry = geometry
        self.translationConvention = translationConvention
    }
}
