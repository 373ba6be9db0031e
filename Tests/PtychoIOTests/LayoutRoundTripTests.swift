import Foundation
import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

/// A known data set written in each layout reads back as the same centred frames, positions and geometry.
final class LayoutRoundTripTests: XCTestCase {
    func testPtychoShelvesFramesAreCentredAndEqualToTheOriginal() throws {
        let directory = try TemporaryDirectory()
        for (height, width) in [(5, 4), (6, 6), (3, 7)] {
            let original = LayoutFixtures.dataset(height: height, width: width)
            let path = try LayoutFixtures.writePtychoShelves(directory.file("S00001_data_\(height)x\(width).h5"), original)
            let read = try PtychoShelvesReader(geometry: LayoutFixtures.geometryOptions, framesPerBatch: 2)
                .read(path: path).dataset
            XCTAssertEqual(read.intensities.shape, original.intensities.shape)
            XCTAssertEqual(floats(read.intensities), floats(original.intensities), "\(height)×\(width)")
            XCTAssertEqual(read.goodPixelCount, height * width)
            XCTAssertEqual(read.source, path)
        }
    }

    func testPtychoShelvesStoresFramesFFTShifted() throws {
        let directory = try TemporaryDirectory()
        let original = LayoutFixtures.dataset(height: 5, width: 4)
        let path = try LayoutFixtures.writePtychoShelves(directory.file("shifted.h5"), original)
        let stored = try HDF5File.open(path).read(PtychoShelvesLayout.data, as: Float.self)
        // The centred pixel [5/2, 4/2] = [2, 2] of frame 0 is the file's [0, 0].
        XCTAssertEqual(stored[0], original.intensities[flat: 2 * 4 + 2])
    }

    func testPtychoShelvesPositionsAreThePatchCentresInMetres() throws {
        let directory = try TemporaryDirectory()
        let original = LayoutFixtures.dataset()
        let path = try LayoutFixtures.writePtychoShelves(directory.file("positions.h5"), original)
        let read = try PtychoShelvesReader(geometry: LayoutFixtures.geometryOptions).read(path: path).dataset
        let expected = LayoutFixtures.roundedPositions(of: original)
        for frame in 0..<original.frameCount {
            XCTAssertEqual(read.positions.y[frame], expected.y[frame], accuracy: 1e-12 * abs(expected.y[frame]) + 1e-30)
            XCTAssertEqual(read.positions.x[frame], expected.x[frame], accuracy: 1e-12 * abs(expected.x[frame]) + 1e-30)
        }
        // Rounding moves a position by at most half an object pixel (after the common translation).
        let pixel = original.geometry.objectPixelSize
        let shiftY = read.positions.y[0] - original.positions.y[0], shiftX = read.positions.x[0] - original.positions.x[0]
        for frame in 0..<original.frameCount {
            XCTAssertLessThanOrEqual(abs(read.positions.y[frame] - original.positions.y[frame] - shiftY), pixel.y * 1.0001)
            XCTAssertLessThanOrEqual(abs(read.positions.x[frame] - original.positions.x[frame] - shiftX), pixel.x * 1.0001)
        }
    }

    func testPtychoShelvesGeometryComesFromTheOptions() throws {
        let directory = try TemporaryDirectory()
        let original = LayoutFixtures.dataset()
        let path = try LayoutFixtures.writePtychoShelves(directory.file("geometry.h5"), original)
        let read = try PtychoShelvesReader(geometry: LayoutFixtures.geometryOptions).read(path: path).dataset
        XCTAssertEqual(read.geometry, original.geometry)
    }

    func testPtychoShelvesHeaderReachesTheHookBeforeTheFrames() throws {
        let directory = try TemporaryDirectory()
        let path = try LayoutFixtures.writePtychoShelves(directory.file("hook.h5"))
        struct Refused: Error {}
        var seen: DatasetHeader?
        XCTAssertThrowsError(try PtychoShelvesReader(geometry: LayoutFixtures.geometryOptions).read(path: path) {
            seen = $0
            throw Refused()
        }) { XCTAssertTrue($0 is Refused) }
        XCTAssertEqual(seen?.frameCount, Fixtures.frameCount)
        XCTAssertEqual(seen.map { [$0.frameHeight, $0.frameWidth] }, [5, 4])
    }

    func testPtyLabRoundTripsFramesPositionsAndGeometry() throws {
        let directory = try TemporaryDirectory()
        let original = LayoutFixtures.dataset(height: 4, width: 4)
        let path = try LayoutFixtures.writePtyLab(directory.file("ptylab.hdf5"), original)
        let read = try PtyLabReader(framesPerBatch: 2).read(path: path).dataset
        XCTAssertEqual(floats(read.intensities), floats(original.intensities))
        XCTAssertEqual(read.positions, original.positions)
        XCTAssertEqual(read.geometry.distance, original.geometry.distance)
        XCTAssertEqual(read.geometry.detectorPixelSizeX, original.geometry.detectorPixelSizeX)
        XCTAssertEqual(read.geometry.detectorPixelSizeY, original.geometry.detectorPixelSizeX)
        XCTAssertEqual(read.geometry.energy, original.geometry.energy, accuracy: 1e-12 * original.geometry.energy)
        XCTAssertEqual(read.goodPixelCount, 16)
    }

    func testPtyLabEncoderIsXThenY() throws {
        let directory = try TemporaryDirectory()
        let original = LayoutFixtures.dataset(height: 4, width: 4)
        let path = try LayoutFixtures.writePtyLab(directory.file("encoder.hdf5"), original)
        let encoder = try HDF5File.open(path).read(PtyLabLayout.encoder, as: Double.self)
        XCTAssertEqual(encoder[0], original.positions.x[0])
        XCTAssertEqual(encoder[1], original.positions.y[0])
    }
}
