import Foundation
import TallyBench
import XCTest

final class OfflineBenchTests: XCTestCase {
    func testFigureTakesTheMedianAndSpread() {
        let f = OfflineBench.Figure(samples: [5, 1, 3])
        XCTAssertEqual(f.median, 3)
        XCTAssertEqual(f.min, 1)
        XCTAssertEqual(f.max, 5)
        XCTAssertEqual(OfflineBench.Figure(samples: [4, 1, 3, 2]).median, 2.5)
    }
}
