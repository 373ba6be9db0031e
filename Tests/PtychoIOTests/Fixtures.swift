import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// Small, fully known data sets and CXI files that each test then breaks in one way.
enum Fixtures {
    static let frameCount = 5
    static let height = 6
    static let width = 4
    static let geometry = ExperimentGeometry(energy: 8000 * PhysicalConstants.electronvolt, distance: 2.5,
                                             detectorPixelSizeY: 75e-6, detectorPixelSizeX: 55e-6,
                                             frameHeight: height, frameWidth: width)

    /// Integer-valued intensities (exact in float32 and uint32), distinct per frame and pixel.
    static func dataset(frameCount: Int = frameCount, height: Int = height, width: Int = width) -> DiffractionDataset {
        let intensities = RealArray(shape: [frameCount, height, width])
        for index in 0..<intensities.count { intensities[flat: index] = Float((index * 7) % 23) }
        let mask = RealArray(shape: [height, width])
        mask.fill(1)
        let positions = ScanPositions(y: (0..<frameCount).map { 1e-6 * Double($0) - 2e-6 },
                                      x: (0..<frameCount).map { 0.5e-6 * Double($0 * $0) + 1e-7 })
        var geometry = geometry
        geometry.frameHeight = height
        geometry.frameWidth = width
        return DiffractionDataset(geometry: geometry, positions: positions, intensities: intensities, mask: mask,
                                  source: "fixture")
    }

    /// Writes a valid CXI file of `dataset` (default: `Fixtures.dataset()`), returning its path.
    @discardableResult
    static func writeCXI(_ path: String, _ dataset: DiffractionDataset = dataset(),
                         writer: CXIWriter = CXIWriter()) throws -> String {
        try writer.write(dataset, to: path)
        return path
    }

    /// Opens `path` for writing and lets `change` break or extend it.
    static func modify(_ path: String, _ change: (HDF5File) throws -> Void) throws {
        try HDF5Edits.modify(path, change)
    }

    /// Replaces the dataset at `objectPath` with `values` of `shape`.
    static func replace(_ path: String, _ objectPath: String, with values: [Double], shape: [Int],
                        as type: HDF5StorageType = .float64) throws {
        try HDF5Edits.replace(path, objectPath, with: values, shape: shape, as: type)
    }
}

/// Asserts that `body` throws an `InputError` whose one-line description contains every fragment.
func assertInputError<T>(_ body: @autoclosure () throws -> T, mentions fragments: [String],
                         file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("no error thrown; expected one mentioning \(fragments)", file: file, line: line)
    } catch let error as InputError {
        let text = error.description
        XCTAssertFalse(text.contains("\n"), "error is not one line: \(text)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(text.contains(fragment), "\"\(text)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected InputError, got \(type(of: error)): \(error)", file: file, line: line)
    }
}

/// The floats of `array`. A helper, because `Array(expression.storage)` may copy memory that ARC has
/// already freed when `expression` is a temporary (the storage pointer does not keep its owner alive);
/// a parameter is guaranteed alive for the whole call.
func floats(_ array: ComplexArray) -> [Float] { Array(array.storage) }
func floats(_ array: RealArray) -> [Float] { Array(array.storage) }
