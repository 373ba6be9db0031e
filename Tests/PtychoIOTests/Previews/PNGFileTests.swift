import Foundation
import PtychoIO
import PtychoTestSupport
import XCTest

final class PNGFileTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "ptychite-png-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func testGreyRoundTrip() throws {
        let pixels = (0..<(7 * 5)).map { UInt8(($0 * 37) % 256) }
        let image = RasterImage(width: 7, height: 5, format: .grey, pixels: pixels)
        let path = directory + "/grey.png"
        try PNGFile.write(image, to: path)
        let back = try PNGFile.read(path)
        XCTAssertEqual(back, image)
    }

    func testRGBRoundTripAndNoTemporaryLeftBehind() throws {
        var image = RasterImage(width: 4, height: 3, format: .rgb, fill: (10, 20, 30))
        image.setColour(row: 2, column: 3, (255, 0, 128))
        let path = directory + "/colour.png"
        try PNGFile.write(image, to: path)
        let back = try PNGFile.read(path)
        XCTAssertEqual(back.width, 4)
        XCTAssertEqual(back.height, 3)
        XCTAssertEqual(back.format, .rgb)
        XCTAssertTrue(back.colour(row: 0, column: 0) == (10, 20, 30))
        XCTAssertTrue(back.colour(row: 2, column: 3) == (255, 0, 128))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["colour.png"])
    }

    func testUnwritableAndMissingFilesThrow() {
        let image = RasterImage(width: 2, height: 2, format: .grey)
        XCTAssertThrowsError(try PNGFile.write(image, to: directory + "/no/such/dir/x.png"))
        XCTAssertThrowsError(try PNGFile.read(directory + "/missing.png"))
    }
}
