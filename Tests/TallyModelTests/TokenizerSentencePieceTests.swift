import XCTest
@testable import TallyModel

/// SentencePiece-style tokenization on a tiny hand-made vocabulary.
final class TokenizerSentencePieceTests: XCTestCase {
    // 0 <unk>, 1 <s>, 2 </s>, 3…258 <0x00>…<0xFF>, then the pieces below.
    private static let pieces: [(String, Float, Int32)] = [
        ("▁", -1, 1), ("h", -2, 1), ("e", -2, 1), ("l", -2, 1), ("o", -2, 1),       // 259…263
        ("w", -3, 1), ("r", -3, 1), ("d", -3, 1), ("ll", -1.5, 1), ("he", -1.2, 1),  // 264…268
        ("hell", -0.9, 1), ("hello", -0.5, 1), ("▁hello", -0.1, 1), ("▁w", -2.5, 1), // 269…272
        ("or", -2.0, 1), ("▁wor", -1.0, 1), ("ld", -1.8, 1), ("▁world", -0.2, 1),   // 273…276
        ("<|user|>", 0, 3), ("<tool>", 0, 4), ("a", -1, 1), ("aa", -1, 1),          // 277…280
    ]

    private func id(_ text: String) -> Int32 {
        Int32(3 + 256 + Self.pieces.firstIndex { $0.0 == text }!)
    }

    private func byte(_ value: UInt8) -> Int32 { 3 + Int32(value) }

    private func makeVocab(addSpacePrefix: Bool = true, addBOS: Bool = true) -> TokenizerVocab {
        var tokens = ["<unk>", "<s>", "</s>"]
        var scores: [Float] = [0, 0, 0]
        var types: [Int32] = [2, 3, 3]
        for value in 0..<256 {
            tokens.append(String(format: "<0x%02X>", value))
            scores.append(0)
            types.append(6)
        }
        for (text, score, type) in Self.pieces {
            tokens.append(text)
            scores.append(score)
            types.append(type)
        }
        return TokenizerVocab(
            model: .sentencePiece, tokens: tokens, scores: scores, tokenTypes: types,
            bosID: 1, eosID: 2, unkID: 0, addBOS: addBOS, addSpacePrefix: addSpacePrefix)
    }

    private func tokenizer(addSpacePrefix: Bool = true, addBOS: Bool = true) throws -> Tokenizer {
        try Tokenizer(vocab: makeVocab(addSpacePrefix: addSpacePrefix, addBOS: addBOS))
    }

    func testMergesByHighestScore() throws {
        let t = try tokenizer()
        // ▁ h e l l o ▁ w o r l d: he, ll, hell, hello, ▁hello; ld, or, ▁w, ▁wor, ▁world.
        XCTAssertEqual(t.encode("hello world", parseSpecial: false), [1, id("▁hello"), id("▁world")])
        XCTAssertEqual(t.encode("hello world", parseSpecial: false, addBOS: false), [id("▁hello"), id("▁world")])
        XCTAssertEqual(t.encode("hello", parseSpecial: false, addBOS: false, addEOS: true), [id("▁hello"), 2])
    }

    func testEqualScoresMergeLeftmostFirst() throws {
        let t = try tokenizer(addSpacePrefix: false, addBOS: false)
        XCTAssertEqual(t.encode("aaa", parseSpecial: false), [id("aa"), id("a")])
        XCTAssertEqual(t.encode("aaaaa", parseSpecial: false), [id("aa"), id("aa"), id("a")])
    }

    func testSpacePrefixFlag() throws {
        XCTAssertEqual(try tokenizer(addSpacePrefix: false, addBOS: false).encode("hello", parseSpecial: false),
                       [id("hello")])
        XCTAssertEqual(try tokenizer(addSpacePrefix: true, addBOS: false).encode("hello", parseSpecial: false),
                       [id("▁hello")])
        XCTAssertEqual(try tokenizer().encode("", parseSpecial: false), [1])
        XCTAssertEqual(try tokenizer().encode("", parseSpecial: false, addBOS: false), [])
    }

    func testByteFallbackForUnknownCharacters() throws {
        let t = try tokenizer(addBOS: false)
        // é is C3 A9, not a piece: its bytes come out as <0xC3> <0xA9>.
        XCTAssertEqual(t.encode("hé", parseSpecial: false), [id("▁"), id("h"), byte(0xC3), byte(0xA9)])
        // A 4-byte character.
        XCTAssertEqual(t.encode("😀", parseSpecial: false, addBOS: false),
                       [id("▁"), byte(0xF0), byte(0x9F), byte(0x98), byte(0x80)])
    }

    func testControlTokensOnlyWithParseSpecial() throws {
        let t = try tokenizer()
        // A special token is followed by a space prefix, as in llama.cpp.
        XCTAssertEqual(t.encode("<|user|>hello", parseSpecial: true), [1, id("<|user|>"), id("▁hello")])
        let plain = t.encode("<|user|>hello", parseSpecial: false)
        XCTAssertFalse(plain.contains(id("<|user|>")))
        let asText: [Int32] = [1, id("▁")] + Array("<|".utf8).map(byte) + [byte(UInt8(ascii: "u")), byte(UInt8(ascii: "s")),
            id("e"), id("r")] + Array("|>".utf8).map(byte) + [id("hello")]
        XCTAssertEqual(plain, asText)
        XCTAssertEqual(t.encode("<s>", parseSpecial: true, addBOS: false), [1])
    }

    func testUserDefinedTokensAlwaysMatch() throws {
        let t = try tokenizer(addBOS: false)
        XCTAssertEqual(t.encode("hello<tool>world", parseSpecial: false), [id("▁hello"), id("<tool>"), id("▁world")])
        XCTAssertEqual(t.encode("hello<tool>world", parseSpecial: true), [id("▁hello"), id("<tool>"), id("▁world")])
    }

    func testPiecesAndDecode() throws {
        let t = try tokenizer()
        XCTAssertEqual(t.piece(id("▁hello")), Array(" hello".utf8))
        XCTAssertEqual(t.piece(byte(0xC3)), [0xC3])
        XCTAssertEqual(t.piece(1), Array("<s>".utf8))
        XCTAssertEqual(t.piece(-1), [])
        XCTAssertEqual(t.piece(100_000), [])
        XCTAssertEqual(t.decode([id("▁"), id("h"), byte(0xC3), byte(0xA9)]), " hé")
        XCTAssertEqual(t.decode([1, id("▁hello"), id("<|user|>"), 2]), "<s> hello<|user|></s>")
        XCTAssertEqual(t.decode([1, id("▁hello"), id("<|user|>"), id("<tool>"), 2], renderSpecial: false), " hello<tool>")
        let text = "hello world hé 😀"
        XCTAssertEqual(t.decode(t.encode(text, parseSpecial: false, addBOS: false)), " " + text)
    }

    func testEndOfGenerationAndIDs() throws {
        let t = try tokenizer()
        XCTAssertTrue(t.isEndOfGeneration(2))
        XCTAssertFalse(t.isEndOfGeneration(1))
        XCTAssertFalse(t.isEndOfGeneration(id("<|user|>")))
        XCTAssertEqual(t.specialTokenID("<|user|>"), id("<|user|>"))
        XCTAssertEqual(t.specialTokenID("<tool>"), id("<tool>"))
        XCTAssertNil(t.specialTokenID("hello"))
        XCTAssertEqual(t.vocabSize, 3 + 256 + Self.pieces.count)
        XCTAssertEqual(t.bosID, 1)
        XCTAssertEqual(t.eosID, 2)
    }
}
