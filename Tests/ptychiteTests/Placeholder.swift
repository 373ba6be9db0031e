import XCTest
final class ptychiteTestsPlaceholder: XCTestCase { func testNothingYet() {} }
