import CKernels
import Foundation

/// Perplexity as llama.cpp's perplexity tool measures it: the text is cut into
/// non-overlapping windows of `context` tokens; each window is evaluated from an
/// empty cache and scored on its second half: the tokens after position ctx/2,
/// each predicted from all tokens before it in the window.
public struct Perplexity {
    public struct Result: Sendable {
        public var perplexity: Double
        public var chunks: Int
        public var scoredTokens: Int
        public var seconds: Double
        /// Standard error of the perplexity, from the spread of the token log-likelihoods.
        public var standardError: Double
    }

    public enum Error: Swift.Error, CustomStringConvertible {
        case tooShort(tokens: Int, needed: Int)
        case badContext(Int)
        public var description: String {
            switch self {
            case .tooShort(let t, let n): "the text has \(t) tokens; perplexity needs at least \(n) (2 × --ctx)"
            case .badContext(let c): "--ctx must be an even number >= 16 (got \(c))"
            }
        }
    }

    public let model: LanguageModel
    /// Tokens per forward pass within a window.
    public var batchSize = 512

    public init(model: LanguageModel) {
        self.model = model
    }

    public func evaluate(tokens: [Int32], context: Int, progress: (Int, Int) -> Void = { _, _ in }) throws -> Result {
        guard context >= 16, context % 2 == 0 else { throw Error.badContext(context) }
        let chunks = tokens.count / context
        // llama.cpp needs 2 × ctx tokens to run at all.
        guard tokens.count >= 2 * context else { throw Error.tooShort(tokens: tokens.count, needed: 2 * context) }
        let cache = KVCache(layers: model.config.layers, kvDim: model.config.kvDim, blocks: (context + 15) / 16)
        let vocab = model.config.vocabSize
        let first = context / 2
        var nll: Double = 0, nll2: Double = 0
        var count = 0
        let t0 = Date()
        for c in 0..<chunks {
            var blocks = SequenceBlocks(cache: cache)
            var window = Array(tokens[(c * context)..<((c + 1) * context)])
            if model.tokenizer.vocab.addBOS, let bos = model.tokenizer.bosID { window[0] = bos }  // as llama.cpp
            var pos = 0
            while pos < context {
                let end = min(context, pos + batchSize)
                var batch = ForwardBatch()
                batch.append(tokens: Array(window[pos..<end]), startPosition: pos,
                             blockTable: try blocks.reserve(0, length: end), wantLogits: false)
                // As llama.cpp: logits of rows first ..< context-1 score tokens first+1 ..< context.
                batch.logitRows = (pos..<end).filter { $0 >= first && $0 < context - 1 }.map { $0 - pos }
                let logits = try model.transformer.forward(batch, cache: cache)
                for (r, row) in batch.logitRows.enumerated() {
                    let target = Int(window[pos + row + 1])
                    let lse = logits.withUnsafeBufferPointer { kern_logsumexp($0.baseAddress! + r * vocab, Int64(vocab)) }
                    let v = Double(lse - logits[r * vocab + target])
                    nll += v
                    nll2 += v * v
                    count += 1
                }
                pos = end
            }
            progress(c + 1, chunks)
        }
        let mean = nll / Double(count)
        let ppl = exp(mean)
        let variance = max(0, nll2 / Double(count) - mean * mean)
        let stderr = ppl * (variance / Double(max(1, count - 1))).squareRoot()
        return Result(perplexity: ppl, chunks: chunks, scoredTokens: count, seconds: Date().timeIntervalSince(t0), standardError: stderr)
    }
}
