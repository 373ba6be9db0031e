import XCTest
final class PtychoIOTestsPlaceholder: XCTestCase { func testNothingYet() {} }
