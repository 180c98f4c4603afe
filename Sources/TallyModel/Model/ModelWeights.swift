import CKernels

/// Every weight of a llama-family model, checked against the config's shapes.
/// Matrices point into the mapped file; norms and biases are decoded to floats.
public struct ModelWeights: @unchecked Sendable {  // pointers into the GGUFFile the model keeps alive
    public struct Layer: Sendable {
        public var attnNorm: [Float]      // [dim]
        public var wq: WeightMatrix       // [qDim, dim]
        public var wk: WeightMatrix       // [kvDim, dim]
        public var wv: WeightMatrix       // [kvDim, dim]
        public var wo: WeightMatrix       // [dim, qDim]
        public var bq: [Float]?           // [qDim] (qwen2)
        public var bk: [Float]?           // [kvDim]
        public var bv: [Float]?           // [kvDim]
        public var ffnNorm: [Float]       // [dim]
        public var wGate: WeightMatrix    // [ffnDim, dim]
        public var wUp: WeightMatrix      // [ffnDim, dim]
        public var wDown: WeightMatrix    // [dim, ffnDim]
    }

    public var tokenEmbedding: WeightMatrix   // [vocab, dim]
    public var layers: [Layer]
    public var outputNorm: [Float]            // [dim]
    public var output: WeightMatrix           // [vocab, dim]: token_embd when tied
    public var tiedOutput: Bool
    public var ropeFreqFactors: [Float]?      // [ropeDim/2] (llama 3.1 rope scaling)

    public init(gguf: GGUFFile, config c: ModelConfig) throws {
        func info(_ name: String) throws -> GGUFTensorInfo {
            guard let t = gguf.tensor(named: name) else { throw GGUFError.missingTensor(path: gguf.path, tensor: name) }
            return t
        }
        func matrix(_ name: String, rows: Int, cols: Int) throws -> WeightMatrix {
            let t = try info(name)
            guard t.dims == [cols, rows] else {
                throw GGUFError.tensorSizeMismatch(path: gguf.path, tensor: name,
                                                   reason: "shape \(t.dims) where the config needs [\(cols), \(rows)]")
            }
            return WeightMatrix(name: name, type: t.type, rows: rows, cols: cols, data: gguf.data(of: t))
        }
        func vector(_ name: String, count: Int) throws -> [Float] {
            let t = try info(name)
            guard t.elementCount == count, t.dims.count == 1 else {
                throw GGUFError.tensorSizeMismatch(path: gguf.path, tensor: name, reason: "shape \(t.dims) where the config needs [\(count)]")
            }
            var out = [Float](repeating: 0, count: count)
            let rc = out.withUnsafeMutableBufferPointer { kern_row_dequant(t.type, gguf.data(of: t), $0.baseAddress, Int64(count)) }
            guard rc == 0 else { throw GGUFError.unsupportedTensorType(path: gguf.path, tensor: name, type: t.type) }
            return out
        }
        func optionalVector(_ name: String, count: Int) throws -> [Float]? {
            gguf.tensor(named: name) == nil ? nil : try vector(name, count: count)
        }

        tokenEmbedding = try matrix("token_embd.weight", rows: c.vocabSize, cols: c.dim)
        outputNorm = try vector("output_norm.weight", count: c.dim)
        if gguf.tensor(named: "output.weight") != nil {
            output = try matrix("output.weight", rows: c.vocabSize, cols: c.dim)
            tiedOutput = false
        } else {
            output = tokenEmbedding
            tiedOutput = true
        }
        ropeFreqFactors = try optionalVector("rope_freqs.weight", count: c.ropeDim / 2)
        layers = try (0..<c.layers).map { l in
            let p = "blk.\(l)."
            return Layer(
                attnNorm: try vector(p + "attn_norm.weight", count: c.dim),
                wq: try matrix(p + "attn_q.weight", rows: c.qDim, cols: c.dim),
                wk: try matrix(p + "attn_k.weight", rows: c.kvDim, cols: c.dim),
                wv: try matrix(p + "attn_v.weight", rows: c.kvDim, cols: c.dim),
                wo: try matrix(p + "attn_output.weight", rows: c.dim, cols: c.qDim),
                bq: try optionalVector(p + "attn_q.bias", count: c.qDim),
                bk: try optionalVector(p + "attn_k.bias", count: c.kvDim),
                bv: try optionalVector(p + "attn_v.bias", count: c.kvDim),
                ffnNorm: try vector(p + "ffn_norm.weight", count: c.dim),
                wGate: try matrix(p + "ffn_gate.weight", rows: c.ffnDim, cols: c.dim),
                wUp: try matrix(p + "ffn_up.weight", rows: c.ffnDim, cols: c.dim),
                wDown: try matrix(p + "ffn_down.weight", rows: c.dim, cols: c.ffnDim))
        }
    }

    /// Bytes of weights one forward pass reads (every matrix once; the embedding rows are few).
    public var bytesPerToken: Int {
        var n = output.rows * output.rowBytes
        for l in layers {
            for w in [l.wq, l.wk, l.wv, l.wo, l.wGate, l.wUp, l.wDown] { n += w.rows * w.rowBytes }
        }
        return n
    }
}
