import CKernels

/// The llama-family forward pass over a ragged batch.
///
/// Reads top to bottom: embed → for each layer (RMSNorm → QKV → RoPE → store K/V →
/// attention over each sequence's blocks → output projection → residual → RMSNorm →
/// SwiGLU FFN → residual) → final norm → logits for the rows asked. Every buffer's
/// shape is written beside it; T is the batch's token count, R its logit rows.
public final class Transformer: @unchecked Sendable {  // one forward pass at a time (the engine's executor)
    public let config: ModelConfig
    public let weights: ModelWeights
    public let compute: ComputeContext
    private var scratch = ForwardScratch()

    public enum Error: Swift.Error, CustomStringConvertible {
        case emptyBatch
        case tokenOutOfRange(Int32, vocab: Int)
        case positionNotCovered(position: Int32, sequence: Int32)
        case badBatch(String)

        public var description: String {
            switch self {
            case .emptyBatch: "empty batch"
            case .tokenOutOfRange(let t, let v): "token id \(t) is outside the vocabulary (0..<\(v))"
            case .positionNotCovered(let p, let s): "position \(p) of sequence \(s) has no KV block"
            case .badBatch(let r): "malformed batch: \(r)"
            }
        }
    }

    public init(config: ModelConfig, weights: ModelWeights, compute: ComputeContext) {
        self.config = config
        self.weights = weights
        self.compute = compute
    }

    /// Runs one forward pass and returns the logits of `batch.logitRows`: [R, vocab], row-major.
    public func forward(_ batch: ForwardBatch, cache: KVCache) throws -> [Float] {
        let c = config
        let T = batch.count
        let R = batch.logitRows.count
        try validate(batch, cache: cache)
        scratch.ensure(tokens: T, config: c, threads: compute.threads)
        let s = scratch

        // Slots and block tables as the kernels want them.
        let maxBlocks = max(1, batch.blockTables.map(\.count).max() ?? 1)
        var tables = [Int32](repeating: 0, count: batch.blockTables.count * maxBlocks)   // [S, maxBlocks]
        for (i, t) in batch.blockTables.enumerated() {
            for (j, b) in t.enumerated() { tables[i * maxBlocks + j] = b }
        }
        var slots = [Int32](repeating: 0, count: T)                                        // [T]
        for t in 0..<T {
            let p = Int(batch.positions[t])
            let table = batch.blockTables[Int(batch.sequenceIndex[t])]
            slots[t] = table[p / cache.blockSize] * Int32(cache.blockSize) + Int32(p % cache.blockSize)
        }

        // x: [T, dim] the residual stream, starting from the token embeddings.
        for t in 0..<T { weights.tokenEmbedding.dequantizeRow(Int(batch.tokens[t]), into: s.x + t * c.dim) }

        for (l, w) in weights.layers.enumerated() {
            // Attention block.
            kern_rows_rmsnorm(s.x, w.attnNorm, s.xb, Int64(T), Int64(c.dim), c.normEps)    // xb: [T, dim]
            matmul(w.wq, s.xb, s.q, T)                                                       // q: [T, heads, headDim]
            matmul(w.wk, s.xb, s.k, T)                                                       // k: [T, kvHeads, headDim]
            matmul(w.wv, s.xb, s.v, T)                                                       // v: [T, kvHeads, headDim]
            if let b = w.bq { kern_rows_add_bias(b, s.q, Int64(T), Int64(c.qDim)) }
            if let b = w.bk { kern_rows_add_bias(b, s.k, Int64(T), Int64(c.kvDim)) }
            if let b = w.bv { kern_rows_add_bias(b, s.v, Int64(T), Int64(c.kvDim)) }
            batch.positions.withUnsafeBufferPointer { pos in
                rope(s.q, pos.baseAddress!, T, heads: c.heads)
                rope(s.k, pos.baseAddress!, T, heads: c.kvHeads)
            }
            kern_kv_store(compute.isa, s.k, s.v, slots, Int32(T), Int32(c.kvDim), cache.keys[l], cache.values[l])
            tables.withUnsafeBufferPointer { tb in
                batch.sequenceIndex.withUnsafeBufferPointer { seq in
                    batch.positions.withUnsafeBufferPointer { pos in
                        var args = kern_attention_args(
                            isa: compute.isa, q: s.q, out: s.att, k_cache: cache.keys[l], v_cache: cache.values[l],
                            block_tables: tb.baseAddress, token_seq: seq.baseAddress, token_pos: pos.baseAddress,
                            scratch: s.attScores, max_blocks: Int32(maxBlocks),
                            n_tokens: Int32(T), n_head: Int32(c.heads), n_kv_head: Int32(c.kvHeads),
                            head_dim: Int32(c.headDim), block_size: Int32(cache.blockSize),
                            scale: 1 / Float(c.headDim).squareRoot())
                        kern_attention_paged(compute.pool, &args)                          // att: [T, heads, headDim]
                    }
                }
            }
            matmul(w.wo, s.att, s.xb, T)                                                     // xb: [T, dim]
            kern_vec_add(s.xb, s.x, Int64(T * c.dim))

            // Feed-forward block.
            kern_rows_rmsnorm(s.x, w.ffnNorm, s.xb, Int64(T), Int64(c.dim), c.normEps)     // xb: [T, dim]
            matmul(w.wGate, s.xb, s.gate, T)                                                 // gate: [T, ffnDim]
            matmul(w.wUp, s.xb, s.up, T)                                                     // up: [T, ffnDim]
            kern_swiglu(compute.isa, s.gate, s.up, s.gate, Int64(T * c.ffnDim))                           // gate: [T, ffnDim]
            matmul(w.wDown, s.gate, s.xb, T)                                                 // xb: [T, dim]
            kern_vec_add(s.xb, s.x, Int64(T * c.dim))
        }

        // Final norm of the rows asked, then logits.
        guard R > 0 else { return [] }
        for (r, t) in batch.logitRows.enumerated() {                                         // xb: [R, dim]
            kern_rows_rmsnorm(s.x + t * c.dim, weights.outputNorm, s.xb + r * c.dim, 1, Int64(c.dim), c.normEps)
        }
        var logits = [Float](repeating: 0, count: R * c.vocabSize)                           // logits: [R, vocab]
        logits.withUnsafeMutableBufferPointer { out in matmul(weights.output, s.xb, out.baseAddress!, R) }
        return logits
    }

    // y: [m, w.rows] = x: [m, w.cols] · wᵀ
    private func matmul(_ w: WeightMatrix, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ m: Int) {
        var args = kern_matmul_args(isa: compute.isa, wtype: w.type, w: w.data, x: x, y: y, m: Int64(m), n: Int64(w.rows),
                                    k: Int64(w.cols), ldy: Int64(w.rows), scratch: scratch.matmul)
        let rc = kern_matmul(compute.pool, &args)
        precondition(rc == 0, "matmul on \(w.name) (\(w.typeName)) was validated at load")
    }

    // x: [m, heads, headDim], rotated in place.
    private func rope(_ x: UnsafeMutablePointer<Float>, _ pos: UnsafePointer<Int32>, _ m: Int, heads: Int) {
        let c = config
        if let f = weights.ropeFreqFactors {
            f.withUnsafeBufferPointer {
                kern_rows_rope(x, pos, Int64(m), Int32(heads), Int32(c.headDim), Int32(c.ropeDim), c.ropeBase, $0.baseAddress,
                               c.ropeMode.rawValue)
            }
        } else {
            kern_rows_rope(x, pos, Int64(m), Int32(heads), Int32(c.headDim), Int32(c.ropeDim), c.ropeBase, nil, c.ropeMode.rawValue)
        }
    }

    private func validate(_ batch: ForwardBatch, cache: KVCache) throws {
        let T = batch.count
        guard T > 0 else { throw Error.emptyBatch }
        guard batch.positions.count == T, batch.sequenceIndex.count == T else {
            throw Error.badBatch("tokens, positions and sequence indices differ in length")
        }
        guard batch.logitRows.allSatisfy({ (0..<T).contains($0) }) else { throw Error.badBatch("a logit row is outside the batch") }
        for t in 0..<T {
            let id = batch.tokens[t]
            guard id >= 0, Int(id) < config.vocabSize else { throw Error.tokenOutOfRange(id, vocab: config.vocabSize) }
            let seq = batch.sequenceIndex[t]
            guard seq >= 0, Int(seq) < batch.blockTables.count else { throw Error.badBatch("sequence index \(seq) has no block table") }
            let p = Int(batch.positions[t])
            let table = batch.blockTables[Int(seq)]
            guard p >= 0, p / cache.blockSize < table.count else { throw Error.positionNotCovered(position: Int32(p), sequence: seq) }
            // Every block the token attends to (0...p) must exist in the cache.
            for b in table.prefix(p / cache.blockSize + 1) where b < 0 || Int(b) >= cache.blocks {
                throw Error.badBatch("block id \(b) is outside the cache (0..<\(cache.blocks))")
            }
        }
    }
}
