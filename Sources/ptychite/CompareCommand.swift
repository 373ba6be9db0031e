import ArgumentParser
import Foundation
import PtychoCore
import PtychoIO

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a result with a simulation's truth: complex NRMSE and FRC ½-bit resolution.",
        discussion: """
            The comparison crops both objects to the well-illuminated region, registers them with sub-pixel \
            precision, and removes the global complex scale (phase and amplitude) and the linear phase ramp \
            before computing the normalised RMS error.
            """)

    @Argument(help: "Result file written by ptychite reconstruct.") var result: String
    @Argument(help: "Truth file written by ptychite simulate.") var truth: String
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        try reportingFailures {
            let reconstruction = try ResultReader().read(path: result)
            let known = try TruthReader().read(path: truth)
            let frame = Array(reconstruction.probe.shape.suffix(2))
            // The result's object grid is laid out from its initial positions exactly as the engine laid it.
            let placement = ObjectPlacement(positions: reconstruction.initialPositions,
                                            pixelSize: reconstruction.objectPixelSize,
                                            frameHeight: frame[0], frameWidth: frame[1])
            let report: ComparisonReport
            do {
                report = try TruthComparison.compare(
                    reconstruction: reconstruction.object,
                    reconstructionOrigin: (placement.originRow, placement.originColumn),
                    illumination: reconstruction.illumination, truth: known.object,
                    truthOrigin: (known.originRow, known.originColumn), pixelSize: reconstruction.objectPixelSize)
            } catch {
                throw CommandFailure(message: "\(result) vs \(truth): \(error)", status: ExitStatus.inputOutput)
            }
            let resolution = report.frcResolution ?? report.frc.nyquistHalfPeriod
            let bound = report.frcResolution == nil ? "≤ " : ""
            if json {
                print(String(format: #"{"nrmse":%.6g,"frc_resolution_nm":%.4g,"frc_resolution_is_bound":%@,"shift_pixels":[%.4f,%.4f],"compared_pixels":%d}"#,
                             report.nrmse, resolution * 1e9, report.frcResolution == nil ? "true" : "false",
                             report.shift.row, report.shift.column, report.comparedPixelCount))
            } else {
                print(String(format: "Complex NRMSE: %.4f (after removing global phase, amplitude scale, phase ramp and a %.2f, %.2f px shift)",
                             report.nrmse, report.shift.row, report.shift.column))
                print(String(format: "FRC ½-bit resolution: %@%.1f nm (half-period; object pixel %.1f nm)", bound,
                             resolution * 1e9, reconstruction.objectPixelSize.x * 1e9))
                print("Compared pixels: \(report.comparedPixelCount)")
            }
        }
    }
}
