import Foundation

// Position refinement and initial guesses (issue 3, items 5–6): the configuration's derived values and
// checks, kept beside the shared configuration file.
extension ReconstructionConfiguration {
    /// The position refinement the engines run, or `nil` when `refine_positions_start` is unset.
    public var positionRefinement: PositionRefinement? {
        refinePositionsStart.map { PositionRefinement(start: $0, stepLimit: positionStepLimit) }
    }

    /// The probe model in effect: `auto` with a `probe` file given means that file (the behaviour of
    /// `--probe FILE` before `probe_model` existed).
    public var effectiveProbeModel: ProbeModel {
        let model = ProbeModel(rawValue: probeModel.lowercased()) ?? .auto
        return model == .auto && probe != nil ? .file : model
    }

    /// The result file that starts the object, or `nil` for `object_init: ones`.
    public var initialObjectFile: String? { objectInit.lowercased() == "ones" ? nil : objectInit }

    func validatePositionRefinementAndInitialGuesses() throws {
        func invalid(_ key: String, _ reason: String) -> ConfigurationError { .invalidValue(key: key, reason: reason) }
        if let start = refinePositionsStart, start < 1 {
            throw invalid("refine_positions_start", "must be ≥ 1 (an iteration number), or null for no refinement")
        }
        guard positionStepLimit > 0 && positionStepLimit.isFinite else {
            throw invalid("position_step_limit", "must be > 0 (object pixels per iteration)")
        }
        guard let model = ProbeModel(rawValue: probeModel.lowercased()) else {
            throw invalid("probe_model", "'\(probeModel)' is not one of \(ProbeModel.names)")
        }
        for (key, value) in [("probe_width", probeWidth), ("probe_height", probeHeight), ("probe_fwhm", probeFWHM),
                             ("zone_plate_diameter", zonePlateDiameter),
                             ("zone_plate_outer_zone_width", zonePlateOuterZoneWidth)] {
            if let value, !(value > 0 && value.isFinite) { throw invalid(key, "must be > 0 (metres)") }
        }
        if let stop = zonePlateCentralStop, !(stop >= 0 && stop.isFinite) {
            throw invalid("zone_plate_central_stop", "must be ≥ 0 (metres)")
        }
        if let defocus = probeDefocus, !defocus.isFinite { throw invalid("probe_defocus", "must be a finite distance (metres)") }
        func require(_ key: String, _ value: Double?) throws {
            if value == nil { throw invalid(key, "probe_model \(model.rawValue) needs it") }
        }
        switch model {
        case .auto:
            break
        case .circular:
            try require("probe_diameter", probeDiameter)
        case .rectangular:
            try require("probe_width", probeWidth)
            try require("probe_height", probeHeight)
        case .zonePlate:
            try require("zone_plate_diameter", zonePlateDiameter)
            try require("zone_plate_outer_zone_width", zonePlateOuterZoneWidth)
            if let stop = zonePlateCentralStop, stop >= zonePlateDiameter! {
                throw invalid("zone_plate_central_stop", "must be smaller than zone_plate_diameter")
            }
        case .gaussian:
            try require("probe_fwhm", probeFWHM)
        case .file:
            if probe == nil { throw invalid("probe", "probe_model file needs the result file to start from") }
        }
        if probe != nil && model != .file && model != .auto {
            throw invalid("probe", "a probe file is given but probe_model is \(model.rawValue); use probe_model file")
        }
        if probeDefocus != nil && ![ProbeModel.circular, .rectangular, .zonePlate].contains(model) {
            throw invalid("probe_defocus", "only the circular, rectangular and zone_plate models are propagated")
        }
        if objectInit.trimmingCharacters(in: .whitespaces).isEmpty {
            throw invalid("object_init", "must be ones or the path of a result file")
        }
    }
}
