import XCTest
final class PtychoCoreTestsPlaceholder: XCTestCase { func testNothingYet() {} }
