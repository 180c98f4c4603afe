/// SentencePiece-style tokenization of one text fragment (llama.cpp's `llm_tokenizer_spm`):
/// start from one symbol per UTF-8 character, repeatedly merge the adjacent pair whose
/// concatenation is the highest-scoring token (leftmost on ties), then emit each symbol's
/// token, or its bytes as `<0xNN>` tokens when it is not in the vocabulary.
struct SentencePieceEncoder: Sendable {
    private let tokenForText: [[UInt8]: Int32]
    private let scores: [Float]
    /// Token for each byte value: `<0xNN>`, else the one-byte text; -1 when neither exists.
    private let byteToken: [Int32]
    private let unknownID: Int32?

    init(tokenForText: [[UInt8]: Int32], scores: [Float], unknownID: Int32?) {
        self.tokenForText = tokenForText
        self.scores = scores
        self.unknownID = unknownID
        let hex = Array("0123456789ABCDEF".utf8)
        self.byteToken = (0..<256).map { value -> Int32 in
            let name: [UInt8] = [0x3C, 0x30, 0x78, hex[value >> 4], hex[value & 15], 0x3E]  // <0xNN>
            if let id = tokenForText[name] { return id }
            return tokenForText[[UInt8(value)]] ?? -1
        }
    }

    private struct Bigram {
        let score: Float
        let left: Int32
        let right: Int32
        let size: Int32

        /// Heap order: higher score first, then the leftmost pair.
        func precedes(_ other: Bigram) -> Bool {
            score != other.score ? score > other.score : left < other.left
        }
    }

    /// Appends the tokens of `text` (UTF-8, spaces already escaped as `▁`).
    func encode(_ text: [UInt8], into output: inout [Int32]) {
        guard !text.isEmpty else { return }
        // One symbol per UTF-8 character.
        var start: [Int32] = []
        var length: [Int32] = []
        start.reserveCapacity(text.count)
        length.reserveCapacity(text.count)
        var offset = 0
        while offset < text.count {
            let n = min(Self.sequenceLength(text[offset]), text.count - offset)
            start.append(Int32(offset))
            length.append(Int32(n))
            offset += n
        }
        let count = start.count
        var prev = (0..<count).map { Int32($0 - 1) }
        var next = (0..<count).map { $0 + 1 < count ? Int32($0 + 1) : -1 }

        var heap: [Bigram] = []
        heap.reserveCapacity(count)
        func push(_ left: Int32, _ right: Int32) {
            guard left >= 0, right >= 0 else { return }
            let s = Int(start[Int(left)])
            let size = Int(length[Int(left)] + length[Int(right)])
            guard let id = tokenForText[Array(text[s..<(s + size)])] else { return }
            let score = Int(id) < scores.count ? scores[Int(id)] : 0
            heap.append(Bigram(score: score, left: left, right: right, size: Int32(size)))
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child].precedes(heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }
        func pop() -> Bigram {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var parent = 0
                while true {
                    let l = 2 * parent + 1, r = l + 1
                    var best = parent
                    if l < heap.count && heap[l].precedes(heap[best]) { best = l }
                    if r < heap.count && heap[r].precedes(heap[best]) { best = r }
                    if best == parent { break }
                    heap.swapAt(parent, best)
                    parent = best
                }
            }
            return top
        }

        for i in 1..<count { push(Int32(i - 1), Int32(i)) }

        while !heap.isEmpty {
            let bigram = pop()
            let l = Int(bigram.left), r = Int(bigram.right)
            // Skip pairs made stale by an earlier merge.
            guard length[l] > 0, length[r] > 0, length[l] + length[r] == bigram.size else { continue }
            length[l] += length[r]
            length[r] = 0
            next[l] = next[r]
            if next[r] >= 0 { prev[Int(next[r])] = bigram.left }
            push(prev[l], bigram.left)
            push(bigram.left, next[l])
        }

        // Every merged symbol is a token (a pair is only queued when it is one), so a symbol
        // that is not a token is a single character: emit its bytes.
        var i: Int32 = 0
        while i >= 0 {
            let s = Int(start[Int(i)]), n = Int(length[Int(i)])
            if let id = tokenForText[Array(text[s..<(s + n)])] {
                output.append(id)
            } else {
                for byte in text[s..<(s + n)] {
                    let id = byteToken[Int(byte)]
                    if id >= 0 {
                        output.append(id)
                    } else if let unknownID {
                        output.append(unknownID)
                    }
                }
            }
            i = next[Int(i)]
        }
    }

    /// Length of the UTF-8 sequence a lead byte starts (llama.cpp's `unicode_len_utf8`).
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead >> 4 {
        case 0xC, 0xD: return 2
        case 0xE: return 3
        case 0xF: return 4
        default: return 1
        }
    }
}
