/// GPT-2's reversible byte ↔ Unicode mapping used by byte-level BPE vocabularies: printable
/// Latin-1 bytes map to themselves, the other 68 bytes to U+0100… in byte order (so a space
/// is `Ġ`, a newline `Ċ`).
enum ByteLevelEncoding {
    /// The code point each byte is written as in token texts.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The UTF-8 encoding of `scalarForByte[b]`.
    static let utf8ForByte: [[UInt8]] = scalarForByte.map { value in
        guard let scalar = Unicode.Scalar(value) else { return [] }
        return Array(String(Character(scalar)).utf8)
    }

    /// The inverse mapping: token-text code point → byte.
    static let byteForScalar: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (byte, scalar) in scalarForByte.enumerated() { map[scalar] = UInt8(byte) }
        return map
    }()

    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }

    /// The raw bytes a byte-level token text stands for. A code point outside the mapping
    /// (not produced by real vocabularies) is kept as its own UTF-8.
    static func decode(_ tokenText: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(tokenText.utf8.count)
        for scalar in tokenText.unicodeScalars {
            if let byte = byteForScalar[scalar.value] {
                out.append(byte)
            } else {
                out.append(contentsOf: String(Character(scalar)).utf8)
            }
        }
        return out
    }
}
