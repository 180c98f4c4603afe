extension Tokenizer {
    /// A piece of the input after special-token partitioning.
    enum Fragment: Equatable {
        /// A run of ordinary text, as a UTF-8 byte range of the input.
        case text(Range<Int>)
        /// A special token found in the input.
        case token(Int32)
    }

    /// Token ids of `text`, as llama.cpp's `llama_tokenize` produces them.
    ///
    /// - Parameters:
    ///   - parseSpecial: match control tokens (`<|im_start|>`, …) written in the text. User-defined
    ///     tokens are matched either way; unknown and control tokens only with this set.
    ///   - addBOS: prepend BOS; nil uses the vocabulary's `addBOS`.
    ///   - addEOS: append EOS; nil uses the vocabulary's `addEOS`.
    public func encode(_ text: String, parseSpecial: Bool, addBOS: Bool? = nil, addEOS: Bool? = nil) -> [Int32] {
        let bytes = Array(text.utf8)
        var output: [Int32] = []
        output.reserveCapacity(bytes.count / 3 + 2)
        if addBOS ?? vocab.addBOS, let bos = vocab.bosID { output.append(bos) }

        let fragments = partition(bytes, parseSpecial: parseSpecial)
        switch engine {
        case .bytePair(let encoder, let pre):
            for fragment in fragments {
                switch fragment {
                case .token(let id):
                    output.append(id)
                case .text(let range):
                    let scanner = PreTokenizerScanner(utf8: bytes[range])
                    for word in scanner.words(for: pre) {
                        let start = range.lowerBound + word.lowerBound
                        encoder.encode(word: bytes[start..<(range.lowerBound + word.upperBound)], into: &output)
                    }
                }
            }
        case .sentencePiece(let encoder, let addSpacePrefix):
            // A space is prepended to text at the start and after every special token.
            var previousWasSpecial = true
            for fragment in fragments {
                switch fragment {
                case .token(let id):
                    output.append(id)
                    previousWasSpecial = true
                case .text(let range):
                    var escaped: [UInt8] = []
                    escaped.reserveCapacity(range.count + 8)
                    if addSpacePrefix && previousWasSpecial { escaped.append(contentsOf: Self.escapedSpace) }
                    for byte in bytes[range] {
                        if byte == 0x20 { escaped.append(contentsOf: Self.escapedSpace) } else { escaped.append(byte) }
                    }
                    encoder.encode(escaped, into: &output)
                    previousWasSpecial = false
                }
            }
        }

        if addEOS ?? vocab.addEOS, let eos = vocab.eosID { output.append(eos) }
        return output
    }

    /// `▁` (U+2581), SentencePiece's space.
    static let escapedSpace: [UInt8] = [0xE2, 0x96, 0x81]

    /// Splits `bytes` on special tokens (llama.cpp's `tokenizer_st_partition`): each special
    /// token, longest first, is cut out of every remaining text fragment at each of its
    /// leftmost non-overlapping occurrences.
    func partition(_ bytes: [UInt8], parseSpecial: Bool) -> [Fragment] {
        guard !bytes.isEmpty else { return [] }
        var fragments: [Fragment] = [.text(0..<bytes.count)]
        let present = specialTokensPresent(in: bytes, parseSpecial: parseSpecial)
        guard !present.isEmpty else { return fragments }

        bytes.withUnsafeBufferPointer { haystack in
            for id in specialTokens where present.contains(id) {
                let needle = tokenBytes[Int(id)]
                var refined: [Fragment] = []
                refined.reserveCapacity(fragments.count + 4)
                for fragment in fragments {
                    guard case .text(let range) = fragment else {
                        refined.append(fragment)
                        continue
                    }
                    var start = range.lowerBound
                    while let match = Self.find(needle, in: haystack, from: start, to: range.upperBound) {
                        if match > start { refined.append(.text(start..<match)) }
                        refined.append(.token(id))
                        start = match + needle.count
                    }
                    if start < range.upperBound { refined.append(.text(start..<range.upperBound)) }
                }
                fragments = refined
            }
        }
        return fragments
    }

    /// The special tokens that occur anywhere in `bytes` and may be matched.
    private func specialTokensPresent(in bytes: [UInt8], parseSpecial: Bool) -> Set<Int32> {
        var present = Set<Int32>()
        bytes.withUnsafeBufferPointer { haystack in
            for position in 0..<haystack.count {
                for id in specialTokensByFirstByte[Int(haystack[position])] where !present.contains(id) {
                    if !parseSpecial && !attributes[Int(id)].isDisjoint(with: .controlOrUnknown) { continue }
                    if Self.matches(tokenBytes[Int(id)], in: haystack, at: position) { present.insert(id) }
                }
            }
        }
        return present
    }

    private static func matches(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, at position: Int) -> Bool {
        guard position + needle.count <= haystack.count else { return false }
        for i in 0..<needle.count where haystack[position + i] != needle[i] { return false }
        return true
    }

    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let first = needle.first, to - from >= needle.count else { return nil }
        var position = from
        let last = to - needle.count
        while position <= last {
            if haystack[position] == first {
                var i = 1
                while i < needle.count && haystack[position + i] == needle[i] { i += 1 }
                if i == needle.count { return position }
            }
            position += 1
        }
        return nil
    }
}
