/// Splits a text fragment into words the way llama.cpp's pre-tokenizer regexes do, with
/// hand-written scanners over Unicode scalars (no regex engine). Words are returned as
/// UTF-8 byte ranges of the fragment.
///
/// Each stage refines the current list of pieces; a piece boundary is never crossed, and
/// look-ahead (`\s+(?!\S)`) sees "nothing" past the end of a piece, as in llama.cpp.
struct PreTokenizerScanner {
    private let scalars: [UInt32]
    private let flags: [CodepointFlags]
    /// UTF-8 offset of each scalar, plus the total length at the end.
    private let byteOffsets: [Int]

    private static let outOfRange: UInt32 = 0xFFFF_FFFF

    init(utf8 bytes: ArraySlice<UInt8>) {
        var scalars: [UInt32] = []
        var offsets: [Int] = []
        scalars.reserveCapacity(bytes.count)
        offsets.reserveCapacity(bytes.count + 1)
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                scalars.append(scalar.value)
                offsets.append(offset)
                offset += UTF8.width(scalar)
            case .emptyInput:
                break decoding
            case .error:
                // Unreachable for text that came from a Swift String; keep offsets consistent anyway.
                scalars.append(0xFFFD)
                offsets.append(offset)
                offset += 1
            }
        }
        offsets.append(offset)
        self.scalars = scalars
        self.byteOffsets = offsets
        self.flags = scalars.map { value in
            Unicode.Scalar(value).map(CodepointFlags.init) ?? CodepointFlags(bits: CodepointFlags.inRange)
        }
    }

    /// The words of the fragment for `pre`, as byte ranges relative to the fragment start.
    func words(for pre: TokenizerVocab.PreTokenizer) -> [Range<Int>] {
        let whole = [0..<scalars.count]
        let pieces: [Range<Int>]
        switch pre {
        case .gpt2:
            pieces = gpt2(whole)
        case .smollm:
            pieces = gpt2(splitMatches(whole) { self.flags[$0].isNumber ? 1 : 0 })
        case .llama3:
            pieces = llama3(whole, digitGroup: 3)
        case .qwen2:
            pieces = llama3(whole, digitGroup: 1)
        case .default:
            var p = splitRuns(whole) { self.isDefaultPunctuation($0) }
            p = gpt2(p)
            p = splitRuns(p) { self.flags[$0].isNumber }
            p = splitMatches(p) { index in
                self.isASCIIDigit(index) && self.isASCIIDigit(index + 1) && self.isASCIIDigit(index + 2) ? 3 : 0
            }
            pieces = p
        }
        return pieces.map { byteOffsets[$0.lowerBound]..<byteOffsets[$0.upperBound] }
    }

    // MARK: - Generic regex-style splitting

    /// Splits each piece at the matches of a pattern, keeping the text between matches as
    /// pieces too (llama.cpp's std::regex fallback). `matchLength(i)` is the length of a match
    /// starting at scalar `i` (0 = no match); it must stay inside the piece.
    private func splitMatches(_ pieces: [Range<Int>], matchLength: (Int) -> Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(pieces.count * 2)
        for piece in pieces {
            var gapStart = piece.lowerBound
            var pos = piece.lowerBound
            while pos < piece.upperBound {
                let length = min(matchLength(pos), piece.upperBound - pos)
                if length > 0 {
                    if pos > gapStart { out.append(gapStart..<pos) }
                    out.append(pos..<(pos + length))
                    pos += length
                    gapStart = pos
                } else {
                    pos += 1
                }
            }
            if piece.upperBound > gapStart { out.append(gapStart..<piece.upperBound) }
        }
        return out
    }

    /// `[class]+` splitting: maximal runs of scalars in the class, and the text between them.
    private func splitRuns(_ pieces: [Range<Int>], inClass: (Int) -> Bool) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(pieces.count * 2)
        for piece in pieces {
            var start = piece.lowerBound
            while start < piece.upperBound {
                let member = inClass(start)
                var end = start + 1
                while end < piece.upperBound && inClass(end) == member { end += 1 }
                out.append(start..<end)
                start = end
            }
        }
        return out
    }

    private func isASCIIDigit(_ index: Int) -> Bool {
        index < scalars.count && scalars[index] >= 0x30 && scalars[index] <= 0x39
    }

    /// `[\p{P}\$\+<=>\^~\|]`: Unicode punctuation, plus ASCII `$+<=>^~|` — every ASCII
    /// punctuation or symbol character except the backtick.
    private func isDefaultPunctuation(_ index: Int) -> Bool {
        let value = scalars[index]
        if value < 128 {
            return (0x21...0x2F).contains(value) || (0x3A...0x40).contains(value)
                || (0x5B...0x5F).contains(value) || (0x7B...0x7E).contains(value)
        }
        let f = flags[index]
        return f.isPunctuation && !f.isWhitespace
    }

    // MARK: - The gpt-2 pattern

    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    private func gpt2(_ pieces: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(scalars.count / 3 + pieces.count)
        for piece in pieces {
            let start = piece.lowerBound, end = piece.upperBound
            func cpt(_ p: Int) -> UInt32 { p >= start && p < end ? scalars[p] : Self.outOfRange }
            func flagsAt(_ p: Int) -> CodepointFlags { p >= start && p < end ? flags[p] : .outOfRange }
            var pos = start
            var tokenStart = start
            func emit(_ e: Int) {
                if e > tokenStart { out.append(tokenStart..<e) }
                tokenStart = e
                pos = e
            }
            while pos < end {
                let c = cpt(pos)
                let f = flags[pos]

                // 's|'t|'re|'ve|'m|'ll|'d
                if c == 0x27, pos + 1 < end {
                    let n = cpt(pos + 1)
                    if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 {  // s t m d
                        emit(pos + 2)
                        continue
                    }
                    if pos + 2 < end {
                        let nn = cpt(pos + 2)
                        if (n == 0x72 && nn == 0x65) || (n == 0x76 && nn == 0x65) || (n == 0x6C && nn == 0x6C) {  // re ve ll
                            emit(pos + 3)
                            continue
                        }
                    }
                }

                let space = c == 0x20
                var f2 = space ? flagsAt(pos + 1) : f
                //  ?\p{L}+
                if f2.isLetter {
                    var p = pos + (space ? 1 : 0)
                    while f2.isLetter { p += 1; f2 = flagsAt(p) }
                    emit(p)
                    continue
                }
                //  ?\p{N}+
                if f2.isNumber {
                    var p = pos + (space ? 1 : 0)
                    while f2.isNumber { p += 1; f2 = flagsAt(p) }
                    emit(p)
                    continue
                }
                //  ?[^\s\p{L}\p{N}]+
                if Self.isOther(f2) {
                    var p = pos + (space ? 1 : 0)
                    while Self.isOther(f2) { p += 1; f2 = flagsAt(p) }
                    emit(p)
                    continue
                }

                var spaces = 0
                while flagsAt(pos + spaces).isWhitespace { spaces += 1 }
                // \s+(?!\S): leave the last space for the next word
                if spaces > 1, cpt(pos + spaces) != Self.outOfRange {
                    emit(pos + spaces - 1)
                    continue
                }
                // \s+
                if spaces > 0 {
                    emit(pos + spaces)
                    continue
                }
                emit(pos + 1)
            }
        }
        return out
    }

    /// `[^\s\p{L}\p{N}]` for a scalar inside the piece.
    private static func isOther(_ f: CodepointFlags) -> Bool {
        f.isInRange && !f.isWhitespace && !f.isLetter && !f.isNumber
    }

    // MARK: - The Llama 3 / Qwen 2 pattern

    /// `(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,G}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// with G = `digitGroup` (3 for Llama 3, 1 for Qwen 2).
    private func llama3(_ pieces: [Range<Int>], digitGroup: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(scalars.count / 3 + pieces.count)
        for piece in pieces {
            let start = piece.lowerBound, end = piece.upperBound
            func cpt(_ p: Int) -> UInt32 { p >= start && p < end ? scalars[p] : Self.outOfRange }
            func flagsAt(_ p: Int) -> CodepointFlags { p >= start && p < end ? flags[p] : .outOfRange }
            func lower(_ c: UInt32) -> UInt32 { c >= 0x41 && c <= 0x5A ? c + 0x20 : c }
            func isNewline(_ c: UInt32) -> Bool { c == 0x0D || c == 0x0A }
            var pos = start
            var tokenStart = start
            func emit(_ e: Int) {
                if e > tokenStart { out.append(tokenStart..<e) }
                tokenStart = e
                pos = e
            }
            while pos < end {
                let c = cpt(pos)
                let f = flags[pos]

                // (?i:'s|'t|'re|'ve|'m|'ll|'d)
                if c == 0x27, pos + 1 < end {
                    let n = lower(cpt(pos + 1))
                    if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 {
                        emit(pos + 2)
                        continue
                    }
                    if pos + 2 < end {
                        let nn = lower(cpt(pos + 2))
                        if (n == 0x72 && nn == 0x65) || (n == 0x76 && nn == 0x65) || (n == 0x6C && nn == 0x6C) {
                            emit(pos + 3)
                            continue
                        }
                    }
                }

                // [^\r\n\p{L}\p{N}]?\p{L}+
                if !(isNewline(c) || f.isNumber), f.isLetter || flagsAt(pos + 1).isLetter {
                    var p = pos + 1
                    while flagsAt(p).isLetter { p += 1 }
                    emit(p)
                    continue
                }

                // \p{N}{1,G}
                if f.isNumber {
                    var p = pos
                    var groupStart = pos
                    while flagsAt(p).isNumber {
                        p += 1
                        if p - groupStart >= digitGroup {
                            emit(p)
                            groupStart = p
                        }
                    }
                    emit(p)
                    continue
                }

                //  ?[^\s\p{L}\p{N}]+[\r\n]*
                let space = c == 0x20
                var f2 = space ? flagsAt(pos + 1) : f
                if !(f2.isWhitespace || f2.isLetter || f2.isNumber) {
                    var p = pos + (space ? 1 : 0)
                    while Self.isOther(f2) { p += 1; f2 = flagsAt(p) }
                    while isNewline(cpt(p)) { p += 1 }
                    emit(p)
                    continue
                }

                var spaces = 0
                var afterLastNewline = 0
                while flagsAt(pos + spaces).isWhitespace {
                    if isNewline(cpt(pos + spaces)) { afterLastNewline = pos + spaces + 1 }
                    spaces += 1
                }
                // \s*[\r\n]+
                if afterLastNewline > 0 {
                    emit(afterLastNewline)
                    continue
                }
                // \s+(?!\S)
                if spaces > 1, cpt(pos + spaces) != Self.outOfRange {
                    emit(pos + spaces - 1)
                    continue
                }
                // \s+
                if spaces > 0 {
                    emit(pos + spaces)
                    continue
                }
                emit(pos + 1)
            }
        }
        return out
    }
}
