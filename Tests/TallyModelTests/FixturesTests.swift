import XCTest

final class FixturesTests: XCTestCase {
    func testReferenceFixturesAreBundled() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/smollm2-135m-q4_1", withExtension: "json"))
        XCTAssertGreaterThan(try Data(contentsOf: url).count, 1000)
    }
}
