import ArgumentParser
import PtychoCore
import PtychoIO

/// `--energy-kev`, `--distance-m`, `--detector-pixel-um`: the geometry of inputs that record none
/// (PtychoShelves), in the flags' units; `GeometryOptions` holds them in SI.
struct GeometryFlags: ParsableArguments {
    @Option(name: .customLong("energy-kev"), help: "Photon energy, keV (PtychoShelves input only).")
    var energyKeV: Double?
    @Option(name: .customLong("distance-m"), help: "Detector distance, m (PtychoShelves input only).")
    var distance: Double?
    @Option(name: .customLong("detector-pixel-um"), help: "Detector pixel pitch, µm (PtychoShelves input only).")
    var detectorPixelMicrometres: Double?

    /// The given flags in SI units (J, m, m).
    var options: GeometryOptions {
        GeometryOptions(energy: energyKeV.map { $0 * 1000 * PhysicalConstants.electronvolt }, distance: distance,
                        detectorPixelSize: detectorPixelMicrometres.map { $0 * 1e-6 })
    }
}

extension ReconstructionConfiguration {
    /// The configuration's geometry keys as reader options.
    var geometryOptions: GeometryOptions {
        GeometryOptions(energy: energy, distance: distance, detectorPixelSize: detectorPixelSize)
    }

    /// Sets each geometry key that `options` gives, leaving the others as they are.
    mutating func override(with options: GeometryOptions) {
        if let value = options.energy { energy = value }
        if let value = options.distance { distance = value }
        if let value = options.detectorPixelSize { detectorPixelSize = value }
    }
}
