extension Tokenizer {
    /// The raw bytes of token `id` (llama.cpp's `token_to_piece` with special tokens rendered):
    /// byte-level BPE text mapped back through the GPT-2 byte table, SentencePiece `▁` as a
    /// space and `<0xNN>` as that byte, control/user-defined tokens as their text. Empty for
    /// ids outside the vocabulary and for unused tokens.
    public func piece(_ id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < pieces.count else { return [] }
        return pieces[Int(id)]
    }

    /// The bytes of `id` for decoding; control and unknown tokens are empty unless rendered.
    func piece(_ id: Int32, renderSpecial: Bool) -> [UInt8] {
        if !renderSpecial && isSpecial(id) { return [] }
        return piece(id)
    }

    /// The text of a token sequence: the concatenation of the pieces, decoded as UTF-8 with
    /// invalid sequences replaced by U+FFFD. With `renderSpecial` false, control and unknown
    /// tokens (`<|im_end|>`, …) are left out.
    public func decode(_ ids: [Int32], renderSpecial: Bool = true) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids { bytes.append(contentsOf: piece(id, renderSpecial: renderSpecial)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The decoded bytes of one token text, by llama.cpp's rules for the model kind.
    static func renderPiece(model: TokenizerVocab.ModelKind, text: [UInt8], attributes: TokenAttributes) -> [UInt8] {
        if !attributes.isDisjoint(with: .special) { return text }
        if attributes.contains(.normal) {
            switch model {
            case .bpe:
                return ByteLevelEncoding.decode(String(decoding: text, as: UTF8.self))
            case .sentencePiece:
                return unescapeSpaces(text)
            }
        }
        if attributes.contains(.byte), let byte = byteValue(text) { return [byte] }
        return []
    }

    /// `▁` → space.
    private static func unescapeSpaces(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if i + 2 < text.count, text[i] == 0xE2, text[i + 1] == 0x96, text[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    /// The byte of a `<0xNN>` token text.
    private static func byteValue(_ text: [UInt8]) -> UInt8? {
        guard text.count == 6, text[0] == 0x3C, text[1] == 0x30, text[2] == 0x78, text[5] == 0x3E else { return nil }
        return UInt8(String(decoding: text[3..<5], as: UTF8.self), radix: 16)
    }
}
