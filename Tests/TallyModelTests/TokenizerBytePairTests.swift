import XCTest
@testable import TallyModel

/// Byte-level BPE on a tiny hand-made vocabulary (texts in GPT-2's byte alphabet: `Ġ` is a
/// space, `Ċ` a newline).
final class TokenizerBytePairTests: XCTestCase {
    private static let tokens: [(String, Int32)] = [
        ("<|endoftext|>", 3), ("<|im_end|>", 3), ("<extra>", 4),
        ("a", 1), ("b", 1), ("c", 1), ("Ġ", 1), ("ab", 1), ("abc", 1), ("Ġa", 1), ("Ġab", 1),
        ("aa", 1), ("Ċ", 1), ("1", 1), ("2", 1), ("3", 1), ("12", 1), ("123", 1), ("Ã", 1), ("©", 1),
    ]
    // "b c" makes "bc", which is not a token; "Ġa b" can never apply after "a b" has won.
    private static let merges = ["a b", "ab c", "Ġ a", "Ġa b", "b c", "a a", "1 2", "12 3", "Ã ©"]

    private func id(_ text: String) -> Int32 {
        Int32(Self.tokens.firstIndex { $0.0 == text }!)
    }

    private func tokenizer(_ pre: TokenizerVocab.PreTokenizer = .gpt2, merges: [String] = merges) throws -> Tokenizer {
        try Tokenizer(vocab: TokenizerVocab(
            model: .bpe, preTokenizer: pre, tokens: Self.tokens.map(\.0), tokenTypes: Self.tokens.map(\.1),
            merges: merges, bosID: 0, eosID: 0))
    }

    func testMergesApplyLowestRankFirst() throws {
        let t = try tokenizer()
        // "abc": a+b (rank 0), then ab+c (rank 1).
        XCTAssertEqual(t.encode("abc", parseSpecial: false), [id("abc")])
        // " ab": a+b (rank 0) beats Ġ+a (rank 2); "Ġ ab" is no merge.
        XCTAssertEqual(t.encode(" ab", parseSpecial: false), [id("Ġ"), id("ab")])
        // " a": Ġ+a.
        XCTAssertEqual(t.encode("abc a", parseSpecial: false), [id("abc"), id("Ġa")])
    }

    func testEqualRanksMergeLeftmostFirst() throws {
        let t = try tokenizer()
        XCTAssertEqual(t.encode("aaa", parseSpecial: false), [id("aa"), id("a")])
        XCTAssertEqual(t.encode("aaaa", parseSpecial: false), [id("aa"), id("aa")])
    }

    func testMergeResultOutsideTheVocabularyFallsBackToCharacters() throws {
        let t = try tokenizer()
        XCTAssertEqual(t.encode("bc", parseSpecial: false), [id("b"), id("c")])
    }

    func testNonASCIIBytesUseTheByteAlphabet() throws {
        let t = try tokenizer()
        // é is C3 A9, written Ã © in the byte alphabet, merged by "Ã ©" into a text that is no
        // token: its one-byte fallback finds nothing, as in llama.cpp.
        XCTAssertEqual(t.encode("é", parseSpecial: false), [])
        let unmerged = try tokenizer(merges: Array(Self.merges.dropLast()))
        XCTAssertEqual(unmerged.encode("é", parseSpecial: false), [id("Ã"), id("©")])
        XCTAssertEqual(unmerged.decode([id("Ã"), id("©")]), "é")
        XCTAssertEqual(t.piece(id("Ġab")), Array(" ab".utf8))
        XCTAssertEqual(t.piece(id("Ċ")), [0x0A])
    }

    func testNewlinesAndNumbers() throws {
        let t = try tokenizer()
        XCTAssertEqual(t.encode("a\n123", parseSpecial: false), [id("a"), id("Ċ"), id("123")])
        let smol = try tokenizer(.smollm)
        XCTAssertEqual(smol.encode("a\n123", parseSpecial: false), [id("a"), id("Ċ"), id("1"), id("2"), id("3")])
        let qwen = try tokenizer(.qwen2)
        XCTAssertEqual(qwen.encode("123", parseSpecial: false), [id("1"), id("2"), id("3")])
        let llama = try tokenizer(.llama3)
        XCTAssertEqual(llama.encode("1231", parseSpecial: false), [id("123"), id("1")])
    }

    func testSpecialTokenPartition() throws {
        let t = try tokenizer()
        XCTAssertEqual(t.encode("ab<|im_end|>abc", parseSpecial: true), [id("ab"), id("<|im_end|>"), id("abc")])
        XCTAssertFalse(t.encode("ab<|im_end|>abc", parseSpecial: false).contains(id("<|im_end|>")))
        // User-defined tokens are split out even without special parsing.
        XCTAssertEqual(t.encode("a<extra>b", parseSpecial: false), [id("a"), id("<extra>"), id("b")])
        // Adjacent and repeated specials.
        XCTAssertEqual(t.encode("<|im_end|><|im_end|>a<|endoftext|>", parseSpecial: true),
                       [id("<|im_end|>"), id("<|im_end|>"), id("a"), id("<|endoftext|>")])
        XCTAssertEqual(t.encode("", parseSpecial: true), [])
        XCTAssertEqual(t.encode("a", parseSpecial: false, addBOS: true), [0, id("a")])
    }

    func testEndOfGenerationIncludesEndOfTurnTexts() throws {
        let t = try tokenizer()
        XCTAssertTrue(t.isEndOfGeneration(id("<|endoftext|>")))
        XCTAssertTrue(t.isEndOfGeneration(id("<|im_end|>")))
        XCTAssertFalse(t.isEndOfGeneration(id("<extra>")))
        XCTAssertFalse(t.isEndOfGeneration(id("a")))
        XCTAssertEqual(t.decode([id("a"), id("<|im_end|>")]), "a<|im_end|>")
        XCTAssertEqual(t.decode([id("a"), id("<|im_end|>")], renderSpecial: false), "a")
    }

    func testLlama3WordsThatAreTokensSkipMerging() throws {
        // With merges that cannot build "abc", llama3's ignore_merges still finds the token.
        let noMerges = try tokenizer(.llama3, merges: [])
        XCTAssertEqual(noMerges.encode("abc", parseSpecial: false), [id("abc")])
        let gpt2 = try tokenizer(.gpt2, merges: [])
        XCTAssertEqual(gpt2.encode("abc", parseSpecial: false), [id("a"), id("b"), id("c")])
    }
}
