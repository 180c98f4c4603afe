import Foundation
import TallyModel
import XCTest

/// llama.cpp's perplexity over the Apache-2.0 text (Fixtures/apache-2.0.txt), within 0.5%.
final class ReferencePerplexityTests: XCTestCase {
    func testPerplexityMatchesLlamaCpp() throws {
        let ref = try XCTUnwrap((try TestSupport.reference()["perplexity"] as? [[String: Any]])?.first)
        let text = try String(contentsOf: try TestSupport.fixtureURL("apache-2.0", "txt"), encoding: .utf8)
        let model = try LanguageModel(path: try TestSupport.modelPath(), compute: try ComputeContext(threads: 2))
        let tokens = model.tokenizer.encode(text, parseSpecial: false)
        let r = try Perplexity(model: model).evaluate(tokens: tokens, context: ref["ctx"] as! Int)
        let expected = ref["ppl"] as! Double
        XCTAssertEqual(r.chunks, ref["chunks"] as? Int)
        XCTAssertEqual(r.perplexity, expected, accuracy: expected * 0.005, "ppl \(r.perplexity) vs llama.cpp \(expected)")
    }

    func testTooShortTextIsAClearError() throws {
        let model = try LanguageModel(path: try TestSupport.modelPath(), compute: try ComputeContext(threads: 1))
        XCTAssertThrowsError(try Perplexity(model: model).evaluate(tokens: [1, 2, 3], context: 512)) { e in
            XCTAssertTrue("\(e)".contains("needs at least 1024"), "\(e)")
        }
    }
}
