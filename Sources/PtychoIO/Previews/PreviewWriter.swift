import Foundation
import PtychoCore

/// Writes the four PNG previews the data-format spec places beside a result file.
public struct PreviewWriter {
    /// The preview kinds in the order they are written, with their file-name suffixes.
    public static let suffixes = ["_object_phase.png", "_object_amplitude.png", "_probe.png", "_error.png"]

    /// Writes `<name>_object_phase.png`, `<name>_object_amplitude.png`, `<name>_probe.png` and
    /// `<name>_error.png`, where `<name>` is `resultPath` without its extension, each atomically, and returns
    /// their paths in that order. Throws `PNGError` on the first file that cannot be written.
    public static func writePreviews(for result: ReconstructionResult, resultPath: String) throws -> [String] {
        let base = previewBase(for: resultPath)
        let images = [
            PreviewRenderer.objectPhase(result.object, illumination: result.illumination),
            PreviewRenderer.objectAmplitude(result.object, illumination: result.illumination),
            PreviewRenderer.probeModes(result.probe),
            PreviewRenderer.errorCurve(result.history),
        ]
        var paths: [String] = []
        for (image, suffix) in zip(images, suffixes) {
            let path = base + suffix
            try PNGFile.write(image, to: path)
            paths.append(path)
        }
        return paths
    }

    /// `resultPath` minus its extension (`run.h5` → `run`, `dir.v2/run` → `dir.v2/run`).
    static func previewBase(for resultPath: String) -> String {
        let url = URL(fileURLWithPath: resultPath)
        guard !url.pathExtension.isEmpty else { return resultPath }
        return String(resultPath.dropLast(url.pathExtension.count + 1))
    }
}
