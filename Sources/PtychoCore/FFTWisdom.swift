import CFFTW
import Foundation

/// FFTW's accumulated planning knowledge ("wisdom") as text. A checkpoint carries it so that a resumed
/// run makes exactly the plans the interrupted run made: `FFTW_MEASURE` times candidate algorithms and
/// may pick a different one in another process, and different algorithms round differently.
public enum FFTWisdom {
    /// Everything the planner has learnt in this process.
    public static func exported() -> String {
        _ = FFTWRuntime.ready
        guard let text = fftwf_export_wisdom_to_string() else { return "" }
        defer { free(text) }
        return String(cString: text)
    }

    /// Adds `text` to the planner's knowledge; plans made afterwards for the same problems reuse it.
    /// Returns `false` when FFTW rejects the text.
    @discardableResult
    public static func importing(_ text: String) -> Bool {
        _ = FFTWRuntime.ready
        guard !text.isEmpty else { return true }
        return fftwf_import_wisdom_from_string(text) != 0
    }
}
