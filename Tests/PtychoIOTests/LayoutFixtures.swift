import Foundation
import PtychoCore
import PtychoIO

/// Known data sets and files in the PtychoShelves and PtyLab layouts, written with the PtychoIO writers.
enum LayoutFixtures {
    /// Square pixels (both layouts store one pitch); 8 keV, 2.5 m, 75 µm.
    static let geometryOptions = GeometryOptions(energy: 8000 * PhysicalConstants.electronvolt, distance: 2.5,
                                                 detectorPixelSize: 75e-6)

    /// `Fixtures.dataset` with square pixels and the given frame extents (odd extents test the shift).
    static func dataset(height: Int = 5, width: Int = 4) -> DiffractionDataset {
        let dataset = Fixtures.dataset(height: height, width: width)
        dataset.geometry.detectorPixelSizeX = geometryOptions.detectorPixelSize!
        dataset.geometry.detectorPixelSizeY = geometryOptions.detectorPixelSize!
        return dataset
    }

    @discardableResult
    static func writePtychoShelves(_ path: String, _ dataset: DiffractionDataset = dataset()) throws -> String {
        try PtychoShelvesWriter().write(dataset, to: path)
        return path
    }

    @discardableResult
    static func writePtyLab(_ path: String, _ dataset: DiffractionDataset = dataset(height: 4, width: 4)) throws
        -> String {
        try PtyLabWriter().write(dataset, to: path)
        return path
    }

    /// What a PtychoShelves round trip gives back: each position rounded to whole object pixels, then
    /// shifted so that the top-left patch offset on each axis is 0, computed here independently of the
    /// writer and reader.
    static func roundedPositions(of dataset: DiffractionDataset) -> ScanPositions {
        let pixel = dataset.geometry.objectPixelSize
        let rows = dataset.positions.y.map { ($0 / pixel.y).rounded() }
        let columns = dataset.positions.x.map { ($0 / pixel.x).rounded() }
        let halfHeight = Double(dataset.frameHeight / 2), halfWidth = Double(dataset.frameWidth / 2)
        return ScanPositions(y: rows.map { ($0 - rows.min()! + halfHeight) * pixel.y },
                             x: columns.map { ($0 - columns.min()! + halfWidth) * pixel.x })
    }
}
