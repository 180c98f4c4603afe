import Foundation
import TallyModel
import XCTest

/// llama.cpp's greedy continuations of the default model (Fixtures/smollm2-135m-q4_1.json), from
/// the raw prompt or chat messages through Tally's template, tokenizer, forward pass and arg-max.
/// Compared as the fixture's README says: identical ids up to the first step whose reference top-2
/// logprob gap is below 0.05; there the chosen id must be one of the top 2, and comparison ends.
final class ReferenceGreedyTests: XCTestCase {
    struct Step { var id: Int32; var top: [(id: Int32, logprob: Float)] }

    static func steps(_ g: [String: Any]) -> [Step] {
        (g["steps"] as? [[String: Any]] ?? []).map { s in
            let top = (s["top"] as? [[String: Any]] ?? []).map { (id: Int32($0["id"] as! Int), logprob: Float($0["logprob"] as! Double)) }
            return Step(id: Int32(s["id"] as! Int), top: top)
        }
    }

    func testGreedyMatchesLlamaCpp() throws {
        let ref = try TestSupport.reference()
        let model = try LanguageModel(path: try TestSupport.modelPath(), compute: try ComputeContext(threads: 2))
        let cases = try XCTUnwrap(ref["greedy"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 5)
        for (ci, g) in cases.enumerated() {
            // Text → tokens, as a user's request would go.
            let text: String
            if let messages = g["messages"] as? [[String: String]] {
                text = try model.renderChat(messages.map { ChatMessage(role: $0["role"]!, content: $0["content"]!) })
            } else {
                text = try XCTUnwrap(g["prompt"] as? String)
            }
            XCTAssertEqual(text, g["prompt_text"] as? String, "case \(ci): rendered prompt")
            let prompt = model.tokenizer.encode(text, parseSpecial: true)
            XCTAssertEqual(prompt.map(Int.init), g["prompt_ids"] as? [Int], "case \(ci): prompt ids")

            let expected = Self.steps(g)
            let cache = KVCache(config: model.config, megabytes: 64)
            var blocks = SequenceBlocks(cache: cache)
            var batch = ForwardBatch()
            batch.append(tokens: prompt, startPosition: 0, blockTable: try blocks.reserve(0, length: prompt.count))
            var logits = try model.transformer.forward(batch, cache: cache)
            var pos = prompt.count
            for (i, step) in expected.enumerated() {
                var best = 0
                for j in 1..<logits.count where logits[j] > logits[best] { best = j }
                let chosen = Int32(best)
                let gap = step.top.count >= 2 ? step.top[0].logprob - step.top[1].logprob : .infinity
                if gap < 0.05 {
                    XCTAssertTrue(step.top.prefix(2).contains { $0.id == chosen }, "case \(ci) step \(i): near-tie, chose \(chosen)")
                    break
                }
                XCTAssertEqual(chosen, step.id, "case \(ci) step \(i): chose \(chosen), llama.cpp \(step.id) (gap \(gap))")
                if chosen != step.id || i == expected.count - 1 { break }
                batch = ForwardBatch()
                batch.append(tokens: [chosen], startPosition: pos, blockTable: try blocks.reserve(0, length: pos + 1))
                logits = try model.transformer.forward(batch, cache: cache)
                pos += 1
            }
        }
    }
}
