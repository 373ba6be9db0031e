import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// `InvalidValuePolicy.mask`: a negative or non-finite value on a good pixel masks that detector pixel in
/// every frame (also the frames read before it was found), with a warning, instead of refusing the file.
final class InvalidValueMaskingTests: XCTestCase {
    /// A gap column of -1 in every frame and one NaN in the last frame, read two frames per batch so the NaN
    /// is found after earlier batches already hold that pixel's values.
    func testCXIGapsAndNaNAreMaskedInEveryFrame() throws {
        let directory = try TemporaryDirectory()
        let dataset = Fixtures.dataset()
        let clean = try CXIReader().read(path: try Fixtures.writeCXI(directory.file("clean.cxi"), dataset)).dataset
        let (width, frames) = (Fixtures.width, Fixtures.frameCount)
        let gap = 0 * width + 1, nan = 2 * width + 3
        for frame in 0..<frames { dataset.intensities.slice(frame)[gap] = -1 }
        dataset.intensities.slice(frames - 1)[nan] = .nan
        let path = try Fixtures.writeCXI(directory.file("gaps.cxi"), dataset)

        assertInputError(try CXIReader().read(path: path), mentions: [path, "negative intensity -1.0 at frame 0, row 0, column 1",
                                                                    "--invalid-values mask"])
        let loaded = try CXIReader(invalidValues: .mask, framesPerBatch: 2).read(path: path)
        let read = loaded.dataset
        for pixel in 0..<(Fixtures.height * width) {
            let masked = pixel == gap || pixel == nan
            XCTAssertEqual(read.mask[flat: pixel], masked ? 0 : clean.mask[flat: pixel], "mask at \(pixel)")
            for frame in 0..<frames {
                XCTAssertEqual(read.intensities.slice(frame)[pixel], masked ? 0 : clean.intensities.slice(frame)[pixel],
                               "frame \(frame), pixel \(pixel)")
            }
        }
        XCTAssertEqual(loaded.warnings.count, 1, "\(loaded.warnings)")
        let warning = try XCTUnwrap(loaded.warnings.first)
        for fragment in [path, "\(frames + 1) negative or non-finite value(s) in 2 detector pixel(s)",
                         "the first -1.0 at frame 0, row 0, column 1", "invalid_values mask"] {
            XCTAssertTrue(warning.contains(fragment), "\(fragment) not in: \(warning)")
        }
    }

    /// PtychoShelves frames are stored fft-shifted: the pixel is found at its place in the file and masked
    /// where the centred frames hold it (found by a marker value in a clean copy).
    func testShelvesInvalidPixelIsMaskedWhereTheCentredFramesHoldIt() throws {
        let directory = try TemporaryDirectory()
        let reader = PtychoShelvesReader(geometry: LayoutFixtures.geometryOptions, invalidValues: .mask)
        let stored = 4 * 1 + 3   // row 1, column 3 as stored (frames 5 × 4)
        func file(_ name: String, value: Double) throws -> String {
            let path = try LayoutFixtures.writePtychoShelves(directory.file(name))
            var values = try HDF5File.open(path).read(PtychoShelvesLayout.data, as: Double.self)
            values[20 + stored] = value   // frame 1
            try Fixtures.replace(path, PtychoShelvesLayout.data, with: values, shape: [5, 5, 4], as: .float32)
            return path
        }
        let marked = try reader.read(path: try file("S00001_data_5x4.h5", value: 12345)).dataset
        let centred = try XCTUnwrap((0..<20).first { marked.intensities.slice(1)[$0] == 12345 })
        XCTAssertNotEqual(centred, stored, "the test needs a pixel that moves when centred")
        let loaded = try reader.read(path: try file("S00002_data_5x4.h5", value: -2))
        XCTAssertEqual((0..<20).filter { loaded.dataset.mask[flat: $0] == 0 }, [centred])
        for frame in 0..<5 { XCTAssertEqual(loaded.dataset.intensities.slice(frame)[centred], 0, "frame \(frame)") }
        XCTAssertTrue(loaded.warnings.first?.contains("the first -2.0 at frame 1, row 1, column 3") == true,
                      "\(loaded.warnings)")
    }
}
