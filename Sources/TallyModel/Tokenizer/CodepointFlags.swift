/// The Unicode classes the pre-tokenizer regexes test (llama.cpp's `unicode_cpt_flags`):
/// `\p{L}`, `\p{N}`, `\p{P}`, `\s`. The zero value stands for "outside the text being scanned".
struct CodepointFlags: Equatable {
    let bits: UInt8

    static let inRange: UInt8 = 1
    static let letterBit: UInt8 = 2
    static let numberBit: UInt8 = 4
    static let whitespaceBit: UInt8 = 8
    static let punctuationBit: UInt8 = 16

    static let outOfRange = CodepointFlags(bits: 0)

    var isInRange: Bool { bits & Self.inRange != 0 }
    var isLetter: Bool { bits & Self.letterBit != 0 }
    var isNumber: Bool { bits & Self.numberBit != 0 }
    var isWhitespace: Bool { bits & Self.whitespaceBit != 0 }
    var isPunctuation: Bool { bits & Self.punctuationBit != 0 }

    init(bits: UInt8) {
        self.bits = bits
    }

    init(_ scalar: Unicode.Scalar) {
        if scalar.value < 128 {
            self.bits = Self.asciiTable[Int(scalar.value)]
            return
        }
        let properties = scalar.properties
        var bits = Self.inRange
        if properties.isWhitespace { bits |= Self.whitespaceBit }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            bits |= Self.letterBit
        case .decimalNumber, .letterNumber, .otherNumber:
            bits |= Self.numberBit
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            bits |= Self.punctuationBit
        default:
            break
        }
        self.bits = bits
    }

    /// Flags of the 128 ASCII code points, from the same Unicode properties.
    private static let asciiTable: [UInt8] = (0..<128).map { value -> UInt8 in
        var bits = inRange
        let scalar = Unicode.Scalar(UInt8(value))
        if scalar.properties.isWhitespace { bits |= whitespaceBit }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter: bits |= letterBit
        case .decimalNumber: bits |= numberBit
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .otherPunctuation: bits |= punctuationBit
        default: break
        }
        return bits
    }
}
