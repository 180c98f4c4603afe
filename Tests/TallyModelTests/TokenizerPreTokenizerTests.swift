import XCTest
@testable import TallyModel

/// The pre-tokenizer scanners against the regexes llama.cpp uses.
final class TokenizerPreTokenizerTests: XCTestCase {
    private func words(_ text: String, _ pre: TokenizerVocab.PreTokenizer) -> [String] {
        let bytes = Array(text.utf8)
        return PreTokenizerScanner(utf8: bytes[...]).words(for: pre).map {
            String(decoding: bytes[$0], as: UTF8.self)
        }
    }

    func testGPT2() {
        XCTAssertEqual(words("Hello world", .gpt2), ["Hello", " world"])
        // \s+(?!\S): the last space of a run goes with the next word.
        XCTAssertEqual(words("Hello   world", .gpt2), ["Hello", "  ", " world"])
        XCTAssertEqual(words("a\n\nb", .gpt2), ["a", "\n", "\n", "b"])
        XCTAssertEqual(words("x   ", .gpt2), ["x", "   "])
        XCTAssertEqual(words("   ", .gpt2), ["   "])
        XCTAssertEqual(words("\ttabs", .gpt2), ["\t", "tabs"])
        XCTAssertEqual(words("I'm they'll we've it's", .gpt2), ["I", "'m", " they", "'ll", " we", "'ve", " it", "'s"])
        XCTAssertEqual(words("DON'T", .gpt2), ["DON", "'", "T"], "gpt-2 contractions are case-sensitive")
        XCTAssertEqual(words("x = (a+b);", .gpt2), ["x", " =", " (", "a", "+", "b", ");"])
        XCTAssertEqual(words("abc123 4", .gpt2), ["abc", "123", " 4"])
        XCTAssertEqual(words("café 日本語 🚀🔥", .gpt2), ["café", " 日本語", " 🚀🔥"])
        XCTAssertEqual(words("a\u{3000}b", .gpt2), ["a", "\u{3000}", "b"], "U+3000 is whitespace")
    }

    func testSmolLMSplitsEveryDigit() {
        XCTAssertEqual(words("abc123", .smollm), ["abc", "1", "2", "3"])
        XCTAssertEqual(words("a 12", .smollm), ["a", " ", "1", "2"])
        XCTAssertEqual(words("3.14", .smollm), ["3", ".", "1", "4"])
        XCTAssertEqual(words("60–73%", .smollm), ["6", "0", "–", "7", "3", "%"])
    }

    func testLlama3() {
        XCTAssertEqual(words("abc 12345", .llama3), ["abc", " ", "123", "45"])
        XCTAssertEqual(words("Hello\n\nWorld", .llama3), ["Hello", "\n\n", "World"])
        XCTAssertEqual(words("don'T", .llama3), ["don", "'T"], "llama3 contractions ignore case")
        XCTAssertEqual(words("x ?!\n\ny", .llama3), ["x", " ?!\n\n", "y"])
        XCTAssertEqual(words("(hello)", .llama3), ["(hello", ")"])
        XCTAssertEqual(words("a  \n b", .llama3), ["a", "  \n", " b"])
        XCTAssertEqual(words("a   b", .llama3), ["a", "  ", " b"])
    }

    func testQwen2SplitsSingleDigits() {
        XCTAssertEqual(words("abc 12345", .qwen2), ["abc", " ", "1", "2", "3", "4", "5"])
        XCTAssertEqual(words("Hello\n\nWorld", .qwen2), ["Hello", "\n\n", "World"])
    }

    func testDefault() {
        XCTAssertEqual(words("a+b=12345", .default), ["a", "+", "b", "=", "123", "45"])
        XCTAssertEqual(words("it's x", .default), ["it", "'", "s", " x"])
    }

    func testGGUFNames() throws {
        XCTAssertEqual(try TokenizerVocab.PreTokenizer(ggufName: "smollm"), .smollm)
        XCTAssertEqual(try TokenizerVocab.PreTokenizer(ggufName: "llama-bpe"), .llama3)
        XCTAssertEqual(try TokenizerVocab.PreTokenizer(ggufName: "qwen2"), .qwen2)
        XCTAssertEqual(try TokenizerVocab.PreTokenizer(ggufName: "gpt-2"), .gpt2)
        XCTAssertEqual(try TokenizerVocab.PreTokenizer(ggufName: "default"), .default)
        XCTAssertEqual(try TokenizerVocab.PreTokenizer(ggufName: nil), .default)
        XCTAssertThrowsError(try TokenizerVocab.PreTokenizer(ggufName: "klingon")) { error in
            XCTAssertEqual(error as? TokenizerError, .unknownPreTokenizer("klingon"))
            XCTAssertTrue("\(error)".contains("'klingon'"), "\(error)")
        }
    }
}
