import PtychoCore
import PtychoIO
import PtychoTestSupport
import XCTest

final class HDF5WrapperTests: XCTestCase {
    func testStringsScalarAndArrayRoundTripIncludingUTF8AndEmpty() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("strings.h5")
        let file = try HDF5File.create(path)
        try file.write(string: "λ = 1.5 Å, ünïcode", to: "/a/scalar")
        try file.write(strings: ["dm", "", "ml-poisson"], to: "/a/array")
        try file.write(strings: [], to: "/a/empty")
        try file.close()
        let reopened = try HDF5File.open(path)
        XCTAssertEqual(try reopened.readString("/a/scalar"), "λ = 1.5 Å, ünïcode")
        XCTAssertEqual(try reopened.dataset("/a/array").readStrings(), ["dm", "", "ml-poisson"])
        XCTAssertEqual(try reopened.dataset("/a/array").shape, [3])
        XCTAssertEqual(try reopened.dataset("/a/empty").readStrings(), [])
    }

    func testAttributesAreReplacedAndReadBack() throws {
        let directory = try TemporaryDirectory()
        let file = try HDF5File.create(directory.file("attributes.h5"))
        try file.createGroup("/entry_1/data_1", nxClass: "NXdata")
        try file.setAttribute("signal", "data", on: "/entry_1/data_1")
        try file.setAttribute("signal", "other", on: "/entry_1/data_1")
        try file.setAttribute("scale", 2.5, on: "/entry_1")
        try file.setAttribute("count", Int64(7))
        XCTAssertEqual(try file.stringAttribute("NX_class", of: "/entry_1/data_1"), "NXdata")
        XCTAssertEqual(try file.stringAttribute("signal", of: "/entry_1/data_1"), "other")
        XCTAssertEqual(try file.doubleAttribute("scale", of: "/entry_1"), 2.5)
        XCTAssertEqual(try file.doubleAttribute("count"), 7)
        XCTAssertNil(try file.stringAttribute("absent", of: "/entry_1"))
        XCTAssertNil(try file.doubleAttribute("scale", of: "/nowhere"))
    }

    func testEveryIntegerAndFloatTypeReadsAsFloatAndDouble() throws {
        let directory = try TemporaryDirectory()
        let file = try HDF5File.create(directory.file("types.h5"))
        let values: [Double] = [0, 1, 2, 100, 127]
        let types: [HDF5StorageType] = [.int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64,
                                        .float32, .float64]
        for (index, type) in types.enumerated() { try file.write(values, to: "/v\(index)", as: type) }
        for index in types.indices {
            XCTAssertEqual(try file.read("/v\(index)", as: Double.self), values, "type \(types[index])")
            XCTAssertEqual(try file.read("/v\(index)", as: Float.self), values.map(Float.init))
        }
        XCTAssertEqual(try file.dataset("/v1").elementKind.description, "uint8")
        XCTAssertEqual(try file.dataset("/v8").elementKind.description, "float32")
    }

    func testRowBatchesReadAndWriteHyperslabs() throws {
        let directory = try TemporaryDirectory()
        let file = try HDF5File.create(directory.file("rows.h5"))
        let rows = try file.createDataset("/frames", type: .float32, shape: [4, 2, 3], chunk: [1, 2, 3])
        let values = (0..<24).map(Float.init)
        try values.withUnsafeBufferPointer { buffer in
            try rows.writeRows(0..<1, from: buffer.baseAddress!)
            try rows.writeRows(1..<4, from: buffer.baseAddress! + 6)
        }
        var middle = [Double](repeating: -1, count: 12)
        try middle.withUnsafeMutableBufferPointer { try rows.readRows(1..<3, into: $0.baseAddress!) }
        XCTAssertEqual(middle, (6..<18).map(Double.init))
        XCTAssertThrowsError(try middle.withUnsafeMutableBufferPointer { try rows.readRows(3..<5, into: $0.baseAddress!) })
    }

    func testSoftLinksAreFollowedAndDanglingLinksDoNotExist() throws {
        let directory = try TemporaryDirectory()
        let file = try HDF5File.create(directory.file("links.h5"))
        try file.write([1.0, 2.0], to: "/real/values", as: .float64)
        try file.createSoftLink("/linked/values", to: "/real/values")
        try file.createSoftLink("/linked/dangling", to: "/real/nothing")
        XCTAssertTrue(file.exists("/linked/values"))
        XCTAssertTrue(file.isDataset("/linked/values"))
        XCTAssertFalse(file.isDataset("/real"))
        XCTAssertFalse(file.exists("/linked/dangling"))
        XCTAssertFalse(file.exists("/no/such/path"))
        XCTAssertEqual(try file.read("/linked/values", as: Double.self), [1, 2])
    }

    func testComplexIsH5pyCompoundAndRoundTripsExactly() throws {
        let directory = try TemporaryDirectory()
        let file = try HDF5File.create(directory.file("complex.h5"))
        let array = ComplexArray(shape: [2, 3])
        for index in 0..<array.count { array[flat: index] = (Float(index) + 0.25, -Float(index) / 3) }
        let dataset = try file.createDataset("/z", type: .complex64, shape: [2, 3])
        try dataset.writeComplex(from: array.pointer)
        XCTAssertEqual(dataset.elementKind, .compound(members: ["r", "i"]))
        let back = ComplexArray(shape: [2, 3])
        try file.dataset("/z").readComplex(into: back.pointer)
        XCTAssertEqual(floats(back), floats(array))
    }

    func testErrorsAreOneLineAndNameFileAndObject() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("errors.h5")
        let file = try HDF5File.create(path)
        XCTAssertThrowsError(try file.dataset("/missing")) { error in
            XCTAssertEqual("\(error)", "\(path): /missing: no such dataset")
        }
        XCTAssertThrowsError(try HDF5File.create(path)) { error in
            XCTAssertTrue("\(error)".hasPrefix(path), "\(error)")
        }
    }
}
