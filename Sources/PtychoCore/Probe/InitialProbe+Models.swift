// Initial guesses (issue 3, item 6): the parametric probe models, chosen by the configuration.
extension InitialProbe {
    /// `[probe_modes, ny, nx]` from the configuration's parametric probe model (circular, rectangular,
    /// zone_plate, gaussian): mode 0 is the model scaled to the data (`targetPower`), extra modes are seeded
    /// at `mode_power` each as for the automatic guess. `nil` for `auto` and `file`, which the caller
    /// handles (they need the trial or a file). Expects a validated configuration. Throws when the model
    /// leaves no power in the frame (e.g. a zone plate whose central stop covers every frequency the
    /// frame holds, because its outer zones are finer than the object pixel).
    public static func parametric(_ configuration: ReconstructionConfiguration,
                                  for dataset: DiffractionDataset) throws -> ComplexArray? {
        let geometry = dataset.geometry, power = targetPower(dataset)
        let defocus = configuration.probeDefocus ?? 0
        let mode0: ComplexArray
        switch configuration.effectiveProbeModel {
        case .auto, .file:
            return nil
        case .circular:
            mode0 = CircularApertureProbe.make(geometry: geometry, diameter: configuration.probeDiameter!,
                                               defocus: defocus, totalPower: power)
        case .rectangular:
            mode0 = RectangularApertureProbe.make(geometry: geometry, width: configuration.probeWidth!,
                                                  height: configuration.probeHeight!, defocus: defocus,
                                                  totalPower: power)
        case .zonePlate:
            mode0 = ZonePlateProbe.make(geometry: geometry, diameter: configuration.zonePlateDiameter!,
                                        outerZoneWidth: configuration.zonePlateOuterZoneWidth!,
                                        centralStop: configuration.zonePlateCentralStop ?? 0, defocus: defocus,
                                        totalPower: power)
        case .gaussian:
            mode0 = GaussianProbe.make(geometry: geometry, fwhm: configuration.probeFWHM!, totalPower: power)
        }
        let modelPower = mode0.totalPower()
        guard modelPower > 0 && modelPower.isFinite else {
            throw ConfigurationError.invalidValue(key: "probe_model", reason: "the \(configuration.effectiveProbeModel.rawValue) "
                                                  + "model leaves no light in the \(dataset.frameHeight)×\(dataset.frameWidth) frame "
                                                  + "at \(dataset.geometry.objectPixelSize.x * 1e9) nm pixels; check its sizes")
        }
        return withModes(mode0, modes: configuration.probeModes, modePower: configuration.modePower,
                         seed: configuration.seed)
    }
}
