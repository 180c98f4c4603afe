import Foundation
import XCTest
@testable import TallyModel

/// The SmolLM2 tokenizer against llama.cpp's output for the real model
/// (Fixtures/smollm2-135m-q4_1.json).
final class TokenizerReferenceTests: XCTestCase {
    private nonisolated(unsafe) static var cached: Tokenizer?

    /// The tokenizer of the default model, loaded once for the whole class.
    private func smolTokenizer() throws -> Tokenizer {
        if let cached = Self.cached { return cached }
        let file = try GGUFFile(path: try TestSupport.modelPath())
        let tokenizer = try Tokenizer(vocab: try TokenizerVocab(metadata: file.metadata))
        Self.cached = tokenizer
        return tokenizer
    }

    private func cases(_ section: String) throws -> [[String: Any]] {
        let list = try XCTUnwrap(try TestSupport.reference()[section] as? [[String: Any]], "reference section \(section)")
        XCTAssertFalse(list.isEmpty, "reference section \(section) is empty")
        return list
    }

    private func ids(_ value: Any?, _ what: String) throws -> [Int32] {
        let numbers = try XCTUnwrap(value as? [Int], "\(what) is not a list of ids")
        return numbers.map { Int32($0) }
    }

    func testVocabularyFromGGUF() throws {
        let tokenizer = try smolTokenizer()
        let vocab = tokenizer.vocab
        XCTAssertEqual(vocab.model, .bpe)
        XCTAssertEqual(vocab.preTokenizer, .smollm)
        XCTAssertEqual(tokenizer.vocabSize, 49152)
        XCTAssertEqual(tokenizer.bosID, 1)
        XCTAssertEqual(tokenizer.eosID, 2)
        XCTAssertFalse(vocab.addBOS)
        XCTAssertEqual(vocab.merges?.count, 48900)
        XCTAssertEqual(tokenizer.specialTokenID("<|im_start|>"), 1)
        XCTAssertEqual(tokenizer.specialTokenID("<|im_end|>"), 2)
        XCTAssertNil(tokenizer.specialTokenID("Hello"), "a normal token is not special")
        XCTAssertEqual(tokenizer.tokenID(forText: "Hello"), 19556)
        XCTAssertTrue(tokenizer.isEndOfGeneration(2), "<|im_end|>")
        XCTAssertTrue(tokenizer.isEndOfGeneration(0), "<|endoftext|>")
        XCTAssertFalse(tokenizer.isEndOfGeneration(1), "<|im_start|>")
        XCTAssertFalse(tokenizer.isEndOfGeneration(19556))
    }

    func testTokenizeCasesMatchLlamaCpp() throws {
        let tokenizer = try smolTokenizer()
        for (index, entry) in try cases("tokenize").enumerated() {
            let text = try XCTUnwrap(entry["text"] as? String, "tokenize[\(index)].text")
            let plain = try ids(entry["ids"], "tokenize[\(index)].ids")
            let special = try ids(entry["ids_parse_special"], "tokenize[\(index)].ids_parse_special")
            XCTAssertEqual(tokenizer.encode(text, parseSpecial: false), plain, "tokenize[\(index)] \(text.debugDescription)")
            XCTAssertEqual(tokenizer.encode(text, parseSpecial: true), special,
                           "tokenize[\(index)] with special tokens \(text.debugDescription)")
            // Byte-level BPE loses nothing: both tokenizations decode back to the text.
            XCTAssertEqual(tokenizer.decode(plain), text, "decode tokenize[\(index)].ids")
            XCTAssertEqual(tokenizer.decode(special), text, "decode tokenize[\(index)].ids_parse_special")
        }
    }

    func testPromptIDsMatchLlamaCpp() throws {
        let tokenizer = try smolTokenizer()
        for (index, entry) in try cases("greedy").enumerated() {
            let prompt = try XCTUnwrap(entry["prompt_text"] as? String, "greedy[\(index)].prompt_text")
            let expected = try ids(entry["prompt_ids"], "greedy[\(index)].prompt_ids")
            XCTAssertEqual(tokenizer.encode(prompt, parseSpecial: true), expected, "greedy[\(index)] prompt")
            XCTAssertEqual(tokenizer.decode(expected), prompt, "greedy[\(index)] prompt decodes back")
        }
    }

    func testChatTemplateRenderingsSplitSpecialTokens() throws {
        let tokenizer = try smolTokenizer()
        let imStart = try XCTUnwrap(tokenizer.specialTokenID("<|im_start|>"))
        let imEnd = try XCTUnwrap(tokenizer.specialTokenID("<|im_end|>"))
        for (index, entry) in try cases("chat_templates").enumerated() {
            let rendered = try XCTUnwrap(entry["rendered"] as? String, "chat_templates[\(index)].rendered")
            let messages = try XCTUnwrap(entry["messages"] as? [[String: Any]], "chat_templates[\(index)].messages")
            let ids = tokenizer.encode(rendered, parseSpecial: true)
            // One <|im_start|> per message, plus the system prompt when the template adds one,
            // plus the generation prompt.
            let starts = ids.filter { $0 == imStart }.count
            let ends = ids.filter { $0 == imEnd }.count
            XCTAssertEqual(starts, ends + 1, "chat_templates[\(index)]: an open assistant turn")
            XCTAssertGreaterThanOrEqual(ends, messages.count, "chat_templates[\(index)]")
            XCTAssertEqual(ids.first, imStart)
            XCTAssertEqual(tokenizer.decode(ids), rendered)
            // Without special parsing the markers are plain text.
            XCTAssertFalse(tokenizer.encode(rendered, parseSpecial: false).contains(imStart))
        }
    }

    func testGreedyOutputsDecodeToReferenceText() throws {
        let tokenizer = try smolTokenizer()
        for (index, entry) in try cases("greedy").enumerated() {
            let output = try ids(entry["output_ids"], "greedy[\(index)].output_ids")
            let text = try XCTUnwrap(entry["output_text"] as? String, "greedy[\(index)].output_text")
            // Generation stops at an end-of-generation token, which is not part of the text.
            let visible = Array(output.prefix { !tokenizer.isEndOfGeneration($0) })
            if (entry["stop_type"] as? String) == "eos" {
                XCTAssertEqual(visible.count, output.count - 1, "greedy[\(index)] ends with its EOG token")
            }
            XCTAssertEqual(tokenizer.decode(visible), text, "greedy[\(index)] decode")
            XCTAssertEqual(tokenizer.decode(output, renderSpecial: false), text, "greedy[\(index)] without specials")

            var stream = StreamingDetokenizer(tokenizer: tokenizer, renderSpecial: false)
            var streamed = ""
            for id in output { streamed += stream.append(id) }
            streamed += stream.finish()
            XCTAssertEqual(streamed, text, "greedy[\(index)] streamed")
        }
    }

    /// The emoji of the Unicode case span several byte-level tokens each: the stream must hold
    /// the partial bytes back and release each emoji whole.
    func testStreamingHoldsEmojiSplitAcrossTokens() throws {
        let tokenizer = try smolTokenizer()
        let entry = try XCTUnwrap(try cases("tokenize").first { ($0["text"] as? String)?.contains("🚀") == true })
        let text = try XCTUnwrap(entry["text"] as? String)
        let ids = try self.ids(entry["ids"], "unicode case ids")

        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        var chunks: [String] = []
        var heldBack = 0
        for id in ids {
            let chunk = stream.append(id)
            if chunk.isEmpty { heldBack += 1 }
            XCTAssertFalse(chunk.contains("\u{FFFD}"), "a partial character leaked out as U+FFFD")
            chunks.append(chunk)
        }
        XCTAssertEqual(stream.pendingByteCount, 0)
        XCTAssertEqual(stream.finish(), "")
        XCTAssertEqual(chunks.joined(), text)
        XCTAssertGreaterThan(heldBack, 0, "no token ended inside a character; the case no longer tests buffering")

        // 🚀 is U+1F680 (F0 9F 9A 80): the token holding its first byte ends inside it, and
        // the stream holds those bytes back until the token that completes it.
        let bytes = Array(text.utf8)
        let rocket = Array("🚀".utf8)
        let rocketStart = try XCTUnwrap((0...(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == rocket })
        var ends: [Int] = []
        var total = 0
        for id in ids {
            total += tokenizer.piece(id).count
            ends.append(total)
        }
        let first = try XCTUnwrap(ends.firstIndex { $0 > rocketStart })
        XCTAssertLessThan(ends[first], rocketStart + rocket.count, "🚀 is no longer split across tokens")
        var rocketStream = StreamingDetokenizer(tokenizer: tokenizer)
        var shown = ""
        for id in ids[...first] { shown += rocketStream.append(id) }
        XCTAssertEqual(shown, String(decoding: bytes[..<rocketStart], as: UTF8.self))
        XCTAssertEqual(rocketStream.pendingByteCount, ends[first] - rocketStart)
        let last = try XCTUnwrap(ends.firstIndex { $0 >= rocketStart + rocket.count })
        for id in ids[(first + 1)...last] { shown += rocketStream.append(id) }
        XCTAssertEqual(shown, String(decoding: bytes[..<ends[last]], as: UTF8.self))
        XCTAssertTrue(shown.contains("🚀"))
    }

    /// 11 KB of text (the Apache license fixture) tokenizes quickly even in a debug build, and
    /// decodes back exactly.
    func testLongTextIsFastAndRoundTrips() throws {
        let tokenizer = try smolTokenizer()
        let text = try String(contentsOf: try TestSupport.fixtureURL("apache-2.0", "txt"), encoding: .utf8)
        XCTAssertGreaterThan(text.utf8.count, 10_000)
        var ids: [Int32] = []
        var best = Duration.seconds(1000)
        for _ in 0..<5 {
            let clock = ContinuousClock()
            let elapsed = clock.measure { ids = tokenizer.encode(text, parseSpecial: true) }
            best = min(best, elapsed)
        }
        XCTAssertLessThan(best, .milliseconds(100), "tokenizing \(text.utf8.count) bytes took \(best)")
        XCTAssertGreaterThan(ids.count, 1000)
        XCTAssertEqual(tokenizer.decode(ids), text)
    }
}
