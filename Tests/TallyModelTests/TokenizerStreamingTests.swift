import XCTest
@testable import TallyModel

/// StreamingDetokenizer on byte tokens, where characters split at every byte.
final class TokenizerStreamingTests: XCTestCase {
    /// 0 <unk>, 1 <s>, 2 </s>, 3…258 <0x00>…<0xFF>, 259 ▁hi.
    private func tokenizer() throws -> Tokenizer {
        var tokens = ["<unk>", "<s>", "</s>"]
        var types: [Int32] = [2, 3, 3]
        for value in 0..<256 {
            tokens.append(String(format: "<0x%02X>", value))
            types.append(6)
        }
        tokens.append("▁hi")
        types.append(1)
        return try Tokenizer(vocab: TokenizerVocab(
            model: .sentencePiece, tokens: tokens, scores: Array(repeating: 0, count: tokens.count),
            tokenTypes: types, bosID: 1, eosID: 2, unkID: 0))
    }

    private func bytes(_ values: [UInt8]) -> [Int32] { values.map { 3 + Int32($0) } }

    func testMultiByteCharactersAreHeldUntilComplete() throws {
        let t = try tokenizer()
        var stream = StreamingDetokenizer(tokenizer: t)
        XCTAssertEqual(stream.append(259), " hi")
        var out: [String] = []
        for id in bytes(Array("é🚀中".utf8)) { out.append(stream.append(id)) }
        // é = C3 A9, 🚀 = F0 9F 9A 80, 中 = E4 B8 AD.
        XCTAssertEqual(out, ["", "é", "", "", "", "🚀", "", "", "中"])
        XCTAssertEqual(stream.pendingByteCount, 0)
        XCTAssertEqual(stream.finish(), "")
    }

    func testTruncatedTailIsReplacedAtFinish() throws {
        let t = try tokenizer()
        var stream = StreamingDetokenizer(tokenizer: t)
        XCTAssertEqual(stream.append(bytes([0x61])[0]), "a")
        XCTAssertEqual(stream.append(bytes([0xE2])[0]), "")
        XCTAssertEqual(stream.append(bytes([0x82])[0]), "")
        XCTAssertEqual(stream.pendingByteCount, 2)
        XCTAssertEqual(stream.finish(), "\u{FFFD}")
        XCTAssertEqual(stream.finish(), "")
    }

    func testInvalidBytesAreReplacedAtOnce() throws {
        let t = try tokenizer()
        var stream = StreamingDetokenizer(tokenizer: t)
        XCTAssertEqual(stream.append(bytes([0xFF])[0]), "\u{FFFD}")
        XCTAssertEqual(stream.pendingByteCount, 0)
        // E0 must be followed by A0…BF: E0 80 can never complete.
        XCTAssertEqual(stream.append(bytes([0xE0])[0]), "")
        XCTAssertTrue(stream.append(bytes([0x80])[0]).allSatisfy { $0 == "\u{FFFD}" })
        XCTAssertEqual(stream.pendingByteCount, 0)
        // A stray continuation byte, then a valid character.
        XCTAssertEqual(stream.append(bytes([0x80])[0]), "\u{FFFD}")
        XCTAssertEqual(stream.append(bytes([0x41])[0]), "A")
    }

    func testSpecialTokensFollowTheRenderFlag() throws {
        let t = try tokenizer()
        var rendered = StreamingDetokenizer(tokenizer: t)
        XCTAssertEqual(rendered.append(2), "</s>")
        var hidden = StreamingDetokenizer(tokenizer: t, renderSpecial: false)
        XCTAssertEqual(hidden.append(2), "")
        XCTAssertEqual(hidden.append(259), " hi")
    }

    func testCompletePrefixLength() {
        XCTAssertEqual(StreamingDetokenizer.completePrefixLength([]), 0)
        XCTAssertEqual(StreamingDetokenizer.completePrefixLength([0x61, 0xF0, 0x9F]), 1)
        XCTAssertEqual(StreamingDetokenizer.completePrefixLength([0x61, 0xF0, 0x9F, 0x9A, 0x80]), 5)
        XCTAssertEqual(StreamingDetokenizer.completePrefixLength([0xF0, 0x80]), 2, "F0 80 is never valid")
        XCTAssertEqual(StreamingDetokenizer.completePrefixLength([0xED, 0xA0]), 2, "a surrogate is never valid")
        XCTAssertEqual(StreamingDetokenizer.completePrefixLength([0x80, 0x80, 0x80, 0x80]), 4)
    }
}
