import XCTest
@testable import TallyModel

/// Building vocabularies from GGUF metadata, and the errors for bad ones.
final class TokenizerVocabTests: XCTestCase {
    private func bpeMetadata() -> GGUFMetadata {
        GGUFMetadata([
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.pre", .string("qwen2")),
            ("tokenizer.ggml.tokens", .array(["<|im_end|>", "a", "b", "ab"].map(GGUFValue.string))),
            ("tokenizer.ggml.token_type", .array([3, 1, 1, 1].map(GGUFValue.int32))),
            ("tokenizer.ggml.merges", .array([.string("a b")])),
            ("tokenizer.ggml.eos_token_id", .uint32(0)),
            ("tokenizer.ggml.bos_token_id", .uint32(99)),
        ])
    }

    func testBPEFromMetadata() throws {
        let vocab = try TokenizerVocab(metadata: bpeMetadata())
        XCTAssertEqual(vocab.model, .bpe)
        XCTAssertEqual(vocab.preTokenizer, .qwen2)
        XCTAssertEqual(vocab.tokens.count, 4)
        XCTAssertEqual(vocab.tokenTypes, [3, 1, 1, 1])
        XCTAssertEqual(vocab.merges, ["a b"])
        XCTAssertEqual(vocab.eosID, 0)
        XCTAssertNil(vocab.bosID, "an out-of-range id falls back to llama.cpp's default, here also out of range")
        XCTAssertFalse(vocab.addBOS)
        let tokenizer = try Tokenizer(vocab: vocab)
        XCTAssertEqual(tokenizer.encode("ab<|im_end|>", parseSpecial: true), [3, 0])
    }

    func testSentencePieceDefaults() throws {
        let metadata = GGUFMetadata([
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .array(["<unk>", "<s>", "</s>", "▁a"].map(GGUFValue.string))),
            ("tokenizer.ggml.scores", .array([0, 0, 0, -1].map(GGUFValue.float32))),
        ])
        let vocab = try TokenizerVocab(metadata: metadata)
        XCTAssertEqual(vocab.model, .sentencePiece)
        XCTAssertEqual(vocab.bosID, 1)
        XCTAssertEqual(vocab.eosID, 2)
        XCTAssertEqual(vocab.unkID, 0)
        XCTAssertTrue(vocab.addBOS)
        XCTAssertTrue(vocab.addSpacePrefix)
        XCTAssertNil(vocab.tokenTypes)
        XCTAssertEqual(try Tokenizer(vocab: vocab).encode("a", parseSpecial: false), [1, 3])
    }

    func testMetadataErrors() {
        func error(_ edit: (inout GGUFMetadata) -> Void) -> TokenizerError? {
            var metadata = bpeMetadata()
            edit(&metadata)
            do {
                _ = try TokenizerVocab(metadata: metadata)
                return nil
            } catch {
                return error as? TokenizerError
            }
        }
        XCTAssertEqual(error { $0["tokenizer.ggml.model"] = nil }, .missingMetadata(key: "tokenizer.ggml.model"))
        XCTAssertEqual(error { $0["tokenizer.ggml.model"] = .string("bert") }, .unknownModel("bert"))
        XCTAssertEqual(error { $0["tokenizer.ggml.model"] = .uint32(1) },
                       .invalidMetadata(key: "tokenizer.ggml.model", reason: "expected a string"))
        XCTAssertEqual(error { $0["tokenizer.ggml.pre"] = .string("mystery") }, .unknownPreTokenizer("mystery"))
        XCTAssertEqual(error { $0["tokenizer.ggml.tokens"] = nil }, .missingMetadata(key: "tokenizer.ggml.tokens"))
        XCTAssertEqual(error { $0["tokenizer.ggml.tokens"] = .array([.uint8(1)]) },
                       .invalidMetadata(key: "tokenizer.ggml.tokens", reason: "expected an array of strings"))
        XCTAssertEqual(error { $0["tokenizer.ggml.merges"] = nil }, .missingMetadata(key: "tokenizer.ggml.merges"))
        XCTAssertEqual(error { $0["tokenizer.ggml.token_type"] = .array([.int32(1)]) },
                       .lengthMismatch(field: "token types", expected: 4, actual: 1))
        XCTAssertEqual(error { $0["tokenizer.ggml.eos_token_id"] = .string("2") },
                       .invalidMetadata(key: "tokenizer.ggml.eos_token_id", reason: "expected an integer token id"))
        XCTAssertEqual(error { $0["tokenizer.ggml.add_bos_token"] = .string("yes") },
                       .invalidMetadata(key: "tokenizer.ggml.add_bos_token", reason: "expected a bool"))
        XCTAssertTrue(TokenizerError.missingMetadata(key: "tokenizer.ggml.merges").description.contains("tokenizer.ggml.merges"))
    }

    func testTokenizerRejectsBadVocabularies() {
        func error(_ vocab: TokenizerVocab) -> TokenizerError? {
            do {
                _ = try Tokenizer(vocab: vocab)
                return nil
            } catch {
                return error as? TokenizerError
            }
        }
        XCTAssertEqual(error(TokenizerVocab(model: .bpe, tokens: [], merges: [])), .emptyVocabulary)
        XCTAssertEqual(error(TokenizerVocab(model: .bpe, tokens: ["a", "a"], merges: [])),
                       .duplicateToken(text: "a", firstID: 0, secondID: 1))
        XCTAssertEqual(error(TokenizerVocab(model: .bpe, tokens: ["a"])), .missingMerges)
        XCTAssertEqual(error(TokenizerVocab(model: .sentencePiece, tokens: ["a", "b"], scores: [0])),
                       .lengthMismatch(field: "scores", expected: 2, actual: 1))
        XCTAssertEqual(error(TokenizerVocab(model: .sentencePiece, tokens: ["a"], eosID: 5)),
                       .tokenIDOutOfRange(name: "EOS", id: 5, vocabSize: 1))
        XCTAssertEqual(error(TokenizerVocab(model: .sentencePiece, tokens: ["a"], addBOS: true)),
                       .missingSpecialToken(name: "BOS"))
    }
}
