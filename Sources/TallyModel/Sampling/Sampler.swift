import CKernels
import Foundation

/// Picks tokens from logits: penalties → top-k → top-p → min-p → temperature →
/// a draw (llama.cpp's default chain), or the arg-max when greedy. Holds the
/// sequence's recent tokens (for penalties) and its random state (for a seed).
public struct Sampler: Sendable {
    public let params: SamplingParams
    private var rng: SeededGenerator
    private var history: [Int32] = []

    public init(params: SamplingParams) {
        self.params = params
        rng = SeededGenerator(seed: params.seed ?? UInt64.random(in: .min ... .max))
    }

    /// Records tokens that count for the penalties (the prompt, then each output token).
    public mutating func accept(_ tokens: [Int32]) { history.append(contentsOf: tokens) }
    public mutating func accept(_ token: Int32) { history.append(token) }

    /// The next token for one row of logits ([vocab]).
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        var l = Array(logits)
        applyPenalties(&l)
        if params.isGreedy { return Int32(Sampler.argmax(l)) }

        // Candidates sorted by logit, cut by top-k.
        var idx = Array(0..<l.count)
        let k = params.topK > 0 ? min(params.topK, l.count) : l.count
        if k < l.count {
            idx = Sampler.topIndices(l, k)
        } else {
            idx.sort { l[$0] > l[$1] || (l[$0] == l[$1] && $0 < $1) }
        }
        // Probabilities at temperature 1 for the cuts (as llama.cpp applies top-p/min-p before temperature).
        var probs = Sampler.softmax(idx.map { l[$0] })
        if params.topP < 1 {
            var cum: Float = 0
            var keep = probs.count
            for (i, p) in probs.enumerated() {
                cum += p
                if cum >= params.topP { keep = i + 1; break }
            }
            idx.removeSubrange(keep...)
            probs.removeSubrange(keep...)
        }
        if params.minP > 0, let top = probs.first {
            let floor = top * params.minP
            let keep = max(1, probs.prefix { $0 >= floor }.count)
            idx.removeSubrange(keep...)
        }
        let final = Sampler.softmax(idx.map { l[$0] / params.temperature })
        var r = Float(Double(rng.next() >> 11) * 0x1p-53)
        for (i, p) in final.enumerated() {
            r -= p
            if r < 0 { return Int32(idx[i]) }
        }
        return Int32(idx[idx.count - 1])
    }

    private func applyPenalties(_ l: inout [Float]) {
        let p = params
        guard p.repetitionPenalty != 1 || p.frequencyPenalty != 0 || p.presencePenalty != 0 else { return }
        let window = p.penaltyLastN < 0 ? history[...] : history.suffix(p.penaltyLastN)
        var counts: [Int32: Int] = [:]
        for t in window { counts[t, default: 0] += 1 }
        for (t, n) in counts where t >= 0 && Int(t) < l.count {
            var v = l[Int(t)]
            if p.repetitionPenalty != 1 { v = v > 0 ? v / p.repetitionPenalty : v * p.repetitionPenalty }
            v -= Float(n) * p.frequencyPenalty + p.presencePenalty
            l[Int(t)] = v
        }
    }

    static func argmax(_ l: [Float]) -> Int {
        var best = 0
        for i in 1..<l.count where l[i] > l[best] { best = i }
        return best
    }

    /// Indices of the k largest values, largest first (ties: lower index first).
    static func topIndices(_ l: [Float], _ k: Int) -> [Int] {
        var heap: [Int] = []  // min-heap by value of the best k so far
        heap.reserveCapacity(k + 1)
        func less(_ a: Int, _ b: Int) -> Bool { l[a] < l[b] || (l[a] == l[b] && a > b) }
        for i in 0..<l.count {
            if heap.count < k {
                heap.append(i)
                var c = heap.count - 1
                while c > 0, less(heap[c], heap[(c - 1) / 2]) { heap.swapAt(c, (c - 1) / 2); c = (c - 1) / 2 }
            } else if less(heap[0], i) {
                heap[0] = i
                var c = 0
                while true {
                    let a = 2 * c + 1, b = a + 1
                    var m = c
                    if a < k, less(heap[a], heap[m]) { m = a }
                    if b < k, less(heap[b], heap[m]) { m = b }
                    if m == c { break }
                    heap.swapAt(c, m)
                    c = m
                }
            }
        }
        return heap.sorted { less($1, $0) }
    }

    static func softmax(_ x: [Float]) -> [Float] {
        guard let mx = x.max() else { return [] }
        let e = x.map { expf($0 - mx) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// Log-probabilities of one row of logits ([vocab]).
    public static func logSoftmax(_ logits: UnsafeBufferPointer<Float>) -> [Float] {
        guard let base = logits.baseAddress else { return [] }
        let lse = kern_logsumexp(base, Int64(logits.count))
        return logits.map { $0 - lse }
    }
}
