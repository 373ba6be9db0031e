/// Independent random streams of one simulation, each derived from (seed, stream, index) so that no
/// stream's draws depend on how many draws another made, nor on which thread runs which frame.
enum SimulationRandomStream: UInt64 {
    case scan = 1, object, probeModes, mask, photonNoise

    /// Seed of this stream for `index` (the frame number for photon noise, 0 otherwise).
    func seed(base: UInt64, index: Int = 0) -> UInt64 {
        Self.mix(Self.mix(base &+ rawValue &* 0x9E37_79B9_7F4A_7C15) &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
    }

    /// SplitMix64's finaliser: a bijective avalanche mix, so nearby inputs give unrelated seeds.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
