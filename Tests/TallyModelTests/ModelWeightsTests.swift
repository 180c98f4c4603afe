import TallyModel
import XCTest

final class ModelWeightsTests: XCTestCase {
    /// Bytes one decoded token reads, worked by hand for SmolLM2-135M Q4_1:
    /// per layer (576·576·2 + 576·192·2 + 576·1536·3) = 3,538,944 Q4_1 weights × 20/32 B = 2,211,840 B,
    /// × 30 layers = 66,355,200 B; the tied Q8_0 output 49,152 · 576 × 34/32 B = 30,081,024 B.
    func testBytesPerTokenOfTheDefaultModel() throws {
        let model = try LanguageModel(path: try TestSupport.modelPath(), compute: try ComputeContext(threads: 1))
        XCTAssertTrue(model.weights.tiedOutput)
        XCTAssertEqual(model.weights.bytesPerToken, 66_355_200 + 30_081_024)
    }
}
