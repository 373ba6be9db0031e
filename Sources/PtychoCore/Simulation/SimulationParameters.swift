extension PtychographySimulation {
    /// Everything that defines a simulated far-field ptychography data set. Same parameters (seed
    /// included) → bit-identical data and truth, whatever the machine's core count.
    ///
    /// The defaults describe a cSAXS-like coherent scattering experiment: 6.2 keV (λ ≈ 0.2 nm), 7.2 m to
    /// a 75 µm-pixel photon-counting detector, 128² frames, which gives 150 nm object pixels and a
    /// 19.2 µm field of view per frame. The beam is a defocused, mildly astigmatic aperture probe 3 µm
    /// across (20 object pixels) scanned on a Fermat spiral with 1 µm steps, so the beam is about three
    /// steps across (≈ 67 % linear overlap) — the regime in which the established engines converge and in
    /// which the beam-size-aware initial guess matters. The far-field disk radius is frameSize/6 (≈ 21 px),
    /// leaving room for the object's scattering halo inside the frame. 500 positions cover a disk about
    /// 26 µm across (an object of ≈ 320² pixels), enough for a meaningful reconstruction that still runs in
    /// seconds. The dose (10⁶ photons per frame) is typical of a well-exposed frame; 0.1 % dead pixels
    /// exercise the mask handling. One probe mode by default (a fully coherent beam) so that the baseline
    /// case tests the engines, not mode decomposition; the 20 % astigmatism is there because real focused
    /// beams have some and an initial guess must cope with it.
    public struct Parameters: Sendable, Equatable {
        /// Frame extent (square), pixels.
        public var frameSize: Int
        /// Photon energy, J.
        public var energy: Double
        /// Sample–detector distance, m.
        public var distance: Double
        /// Detector pixel pitch (square pixels), m.
        public var detectorPixelSize: Double
        /// Number of scan positions (frames).
        public var positionCount: Int
        /// Trajectory and step; the step is in metres.
        public var scan: ScanPattern
        /// Geometric beam diameter at the sample, m (0 = in focus).
        public var beamDiameter: Double
        /// Radius of the bright far-field disk, detector pixels; `nil` means frameSize/6.
        public var apertureRadius: Double?
        /// Relative defocus difference between y and x (see `ApertureProbe.make`).
        public var astigmatism: Double
        /// Total number of probe modes (1 = fully coherent).
        public var probeModeCount: Int
        /// Share of the total probe power held by each extra mode.
        public var extraModePowerFraction: Double
        /// Mean total photons per frame (before masking), with Poisson noise; `nil` gives noiseless
        /// expected counts at `PtychographySimulation.noiselessDose` photons per frame.
        public var dose: Double?
        /// Fraction of detector pixels that are dead (masked, read 0), chosen at random.
        public var deadPixelFraction: Double
        /// Rows of a horizontal detector gap (masked), in the centred frame; `nil` for none.
        public var detectorGapRows: Range<Int>?
        /// Columns of a vertical detector gap (masked), in the centred frame; `nil` for none.
        public var detectorGapColumns: Range<Int>?
        /// The sample.
        public var object: SimulatedObject
        /// Object pixels kept beyond the outermost patches (passed to `ObjectPlacement`).
        public var objectMargin: Int
        /// Seeds every random choice: scan jitter, object, probe modes, dead pixels, photon noise.
        public var seed: UInt64
        /// Mean diffuse background over the detector, photons per pixel, added to the expected counts
        /// before the noise (`DiffuseBackground`); 0 = none.
        public var background: Double = 0

        public init(frameSize: Int = 128,
                    energy: Double = 6.2e3 * PhysicalConstants.electronvolt,
                    distance: Double = 7.2,
                    detectorPixelSize: Double = 75e-6,
                    positionCount: Int = 500,
                    scan: ScanPattern = .fermatSpiral(step: 1e-6),
                    beamDiameter: Double = 3e-6,
                    apertureRadius: Double? = nil,
                    astigmatism: Double = 0.2,
                    probeModeCount: Int = 1,
                    extraModePowerFraction: Double = 0.05,
                    dose: Double? = 1e6,
                    deadPixelFraction: Double = 0.001,
                    detectorGapRows: Range<Int>? = nil,
                    detectorGapColumns: Range<Int>? = nil,
                    object: SimulatedObject = SimulatedObject(),
                    objectMargin: Int = 8,
                    seed: UInt64 = 1) {
            self.frameSize = frameSize
            self.energy = energy
            self.distance = distance
            self.detectorPixelSize = detectorPixelSize
            self.positionCount = positionCount
            self.scan = scan
            self.beamDiameter = beamDiameter
            self.apertureRadius = apertureRadius
            self.astigmatism = astigmatism
            self.probeModeCount = probeModeCount
            self.extraModePowerFraction = extraModePowerFraction
            self.dose = dose
            self.deadPixelFraction = deadPixelFraction
            self.detectorGapRows = detectorGapRows
            self.detectorGapColumns = detectorGapColumns
            self.object = object
            self.objectMargin = objectMargin
            self.seed = seed
        }

        /// The far-field geometry these parameters describe.
        public var geometry: ExperimentGeometry {
            ExperimentGeometry(energy: energy, distance: distance, detectorPixelSizeY: detectorPixelSize,
                               detectorPixelSizeX: detectorPixelSize, frameHeight: frameSize, frameWidth: frameSize)
        }

        /// The aperture radius actually used, detector pixels.
        public var effectiveApertureRadius: Double { apertureRadius ?? Double(frameSize) / 6 }
    }
}
