/// Turns generated token ids into text as they arrive, releasing only complete UTF-8: bytes of
/// a character split across tokens (an emoji, a CJK character) are held until the character is
/// complete. Sequences that can never become valid are replaced by U+FFFD at once.
public struct StreamingDetokenizer: Sendable {
    public let tokenizer: Tokenizer
    /// Whether control and unknown tokens (`<|im_end|>`, …) produce their text.
    public let renderSpecial: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, renderSpecial: Bool = true) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// Bytes held back, waiting for the rest of a character.
    public var pendingByteCount: Int { pending.count }

    /// Adds one token; returns the text it completes (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        pending.append(contentsOf: tokenizer.piece(id, renderSpecial: renderSpecial))
        let complete = Self.completePrefixLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Ends the stream: returns whatever is held back, an incomplete tail as U+FFFD.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return pending.isEmpty ? "" : String(decoding: pending, as: UTF8.self)
    }

    /// The length of the longest prefix that does not end inside a character that could still
    /// be completed by more bytes.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        // A character is at most 4 bytes: its lead byte is among the last 4.
        var lead = count - 1
        while lead >= 0 && lead >= count - 4 {
            let byte = bytes[lead]
            if byte & 0xC0 != 0x80 { break }  // not a continuation byte
            lead -= 1
        }
        guard lead >= 0 && lead >= count - 4 else { return count }
        let expected = sequenceLength(bytes[lead])
        let have = count - lead
        guard expected > have else { return count }
        // Only hold back a tail that is a valid beginning of a character.
        if have >= 2 && !validSecondByte(lead: bytes[lead], bytes[lead + 1]) { return count }
        return lead
    }

    /// Length of the UTF-8 sequence a lead byte starts; 1 for ASCII and invalid lead bytes.
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 1
        }
    }

    /// The second-byte ranges UTF-8 allows after each lead byte (no overlongs, no surrogates).
    private static func validSecondByte(lead: UInt8, _ byte: UInt8) -> Bool {
        switch lead {
        case 0xE0: return (0xA0...0xBF).contains(byte)
        case 0xED: return (0x80...0x9F).contains(byte)
        case 0xF0: return (0x90...0xBF).contains(byte)
        case 0xF4: return (0x80...0x8F).contains(byte)
        default: return (0x80...0xBF).contains(byte)
        }
    }
}
