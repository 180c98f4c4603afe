/// Byte-level BPE merging of one pre-tokenized word (llama.cpp's `llm_tokenizer_bpe_session`).
///
/// Every string that can occur as a symbol — token texts, both halves of each merge and each
/// merge's result — is interned to an integer once, at init (token texts keep their token
/// ids). A merge is then a dictionary lookup on a pair of integers, and a word is merged
/// with a priority queue: lowest rank first, leftmost on ties.
struct BytePairEncoder: Sendable {
    private let vocabSize: Int
    /// The interned symbol of each byte's GPT-2 character; -1 when no token or merge uses it.
    private let byteSymbol: [Int32]
    /// (left symbol, right symbol) → (rank, merged symbol).
    private let merges: [UInt64: Merge]
    /// Token ids of one-character ASCII token texts (the fallback for an unknown symbol).
    private let asciiToken: [Int32]
    /// Token ids by byte-level text, for words that skip merging (`ignoresMerges`).
    private let tokenForText: [[UInt8]: Int32]
    private let ignoresMerges: Bool

    struct Merge: Sendable {
        let rank: Int32
        let result: Int32
    }

    /// - Parameters:
    ///   - tokenForText: token id by the UTF-8 of its text (as in the vocabulary).
    ///   - merges: `"left right"` lines in rank order.
    init(vocabSize: Int, tokenForText: [[UInt8]: Int32], merges: [String], ignoresMerges: Bool) {
        self.vocabSize = vocabSize
        self.tokenForText = tokenForText
        self.ignoresMerges = ignoresMerges

        var interned = tokenForText
        var nextSymbol = Int32(vocabSize)
        func intern(_ bytes: [UInt8]) -> Int32 {
            if let id = interned[bytes] { return id }
            let id = nextSymbol
            interned[bytes] = id
            nextSymbol += 1
            return id
        }

        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(merges.count)
        for (rank, line) in merges.enumerated() {
            let bytes = Array(line.utf8)
            // Split at the first space after the first byte, as llama.cpp does.
            guard bytes.count >= 3, let split = bytes[1...].firstIndex(of: 0x20) else { continue }
            let left = Array(bytes[..<split])
            let right = Array(bytes[(split + 1)...])
            guard !right.isEmpty else { continue }
            let key = Self.key(intern(left), intern(right))
            if table[key] == nil {
                table[key] = Merge(rank: Int32(clamping: rank), result: intern(left + right))
            }
        }
        self.merges = table

        self.byteSymbol = ByteLevelEncoding.utf8ForByte.map { interned[$0] ?? -1 }
        self.asciiToken = (0..<128).map { tokenForText[[UInt8($0)]] ?? -1 }
    }

    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    private struct Bigram {
        let rank: Int32
        let left: Int32
        let right: Int32
        let leftSymbol: Int32
        let rightSymbol: Int32
        let result: Int32

        /// Heap order: lower rank first, then the leftmost pair.
        func precedes(_ other: Bigram) -> Bool {
            rank != other.rank ? rank < other.rank : left < other.left
        }
    }

    /// One symbol of a word being merged: its interned id, byte length and neighbours.
    private struct Symbol {
        var symbol: Int32
        var length: Int32
        var prev: Int32
        var next: Int32
    }

    /// A binary min-heap of bigrams in a buffer sized for the worst case of one word
    /// (count − 1 initial pairs plus two per merge).
    private struct BigramHeap {
        let storage: UnsafeMutableBufferPointer<Bigram>
        var count = 0

        init(capacity: Int) {
            storage = .allocate(capacity: capacity)
        }

        func deallocate() { storage.deallocate() }

        mutating func push(_ bigram: Bigram) {
            var child = count
            count += 1
            storage.initializeElement(at: child, to: bigram)
            while child > 0 {
                let parent = (child - 1) / 2
                guard storage[child].precedes(storage[parent]) else { break }
                storage.swapAt(child, parent)
                child = parent
            }
        }

        mutating func pop() -> Bigram? {
            guard count > 0 else { return nil }
            let top = storage[0]
            count -= 1
            if count > 0 {
                storage[0] = storage[count]
                var parent = 0
                while true {
                    let l = 2 * parent + 1, r = l + 1
                    var best = parent
                    if l < count && storage[l].precedes(storage[best]) { best = l }
                    if r < count && storage[r].precedes(storage[best]) { best = r }
                    if best == parent { break }
                    storage.swapAt(parent, best)
                    parent = best
                }
            }
            return top
        }
    }

    /// Appends the tokens of one word (raw UTF-8 bytes, before the GPT-2 byte mapping).
    func encode(word: ArraySlice<UInt8>, into output: inout [Int32]) {
        let count = word.count
        guard count > 0 else { return }
        let base = word.startIndex

        if ignoresMerges {
            var text: [UInt8] = []
            text.reserveCapacity(count * 2)
            for byte in word { text.append(contentsOf: ByteLevelEncoding.utf8ForByte[Int(byte)]) }
            if let id = tokenForText[text] {
                output.append(id)
                return
            }
        }
        if count == 1 {
            let symbol = byteSymbol[Int(word[base])]
            if symbol >= 0 && Int(symbol) < vocabSize {
                output.append(symbol)
            } else {
                appendFallback(word, into: &output)
            }
            return
        }

        let symbols = UnsafeMutableBufferPointer<Symbol>.allocate(capacity: count)
        var heap = BigramHeap(capacity: 3 * count)
        defer {
            symbols.deallocate()
            heap.deallocate()
        }
        for i in 0..<count {
            symbols.initializeElement(at: i, to: Symbol(
                symbol: byteSymbol[Int(word[base + i])], length: 1,
                prev: Int32(i - 1), next: i + 1 < count ? Int32(i + 1) : -1))
        }
        for i in 1..<count { pushPair(Int32(i - 1), Int32(i), symbols, &heap) }

        while let bigram = heap.pop() {
            let l = Int(bigram.left), r = Int(bigram.right)
            // Skip pairs made stale by an earlier merge: a side was absorbed or has grown.
            guard symbols[l].length > 0, symbols[r].length > 0,
                  symbols[l].symbol == bigram.leftSymbol, symbols[r].symbol == bigram.rightSymbol,
                  symbols[l].next == bigram.right else { continue }
            let after = symbols[r].next
            symbols[l].symbol = bigram.result
            symbols[l].length += symbols[r].length
            symbols[l].next = after
            symbols[r].length = 0
            if after >= 0 { symbols[Int(after)].prev = bigram.left }
            pushPair(symbols[l].prev, bigram.left, symbols, &heap)
            pushPair(bigram.left, after, symbols, &heap)
        }

        var i: Int32 = 0
        while i >= 0 {
            let s = symbols[Int(i)]
            if s.symbol >= 0 && Int(s.symbol) < vocabSize {
                output.append(s.symbol)
            } else {
                let start = base + Int(i)
                appendFallback(word[start..<(start + Int(s.length))], into: &output)
            }
            i = s.next
        }
    }

    /// Queues the pair (left, right) when a merge exists for it.
    private func pushPair(_ left: Int32, _ right: Int32, _ symbols: UnsafeMutableBufferPointer<Symbol>,
                          _ heap: inout BigramHeap) {
        guard left >= 0, right >= 0 else { return }
        let ls = symbols[Int(left)].symbol, rs = symbols[Int(right)].symbol
        guard ls >= 0, rs >= 0, let merge = merges[Self.key(ls, rs)] else { return }
        heap.push(Bigram(rank: merge.rank, left: left, right: right, leftSymbol: ls, rightSymbol: rs, result: merge.result))
    }

    /// A symbol that is not a token: llama.cpp looks up each byte of its byte-level text as a
    /// one-byte token, which can only succeed for printable ASCII.
    private func appendFallback(_ bytes: ArraySlice<UInt8>, into output: inout [Int32]) {
        for byte in bytes {
            for encoded in ByteLevelEncoding.utf8ForByte[Int(byte)] where encoded < 128 {
                let id = asciiToken[Int(encoded)]
                if id >= 0 { output.append(id) }
            }
        }
    }
}
