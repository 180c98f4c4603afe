/// The hyperparameters of a llama-family model, read from GGUF metadata.
public struct ModelConfig: Sendable, Equatable {
    public enum Architecture: String, Sendable, CaseIterable {
        case llama, mistral, qwen2
    }

    /// How RoPE pairs the elements of a head (ggml's rope modes).
    public enum RopeMode: Int32, Sendable {
        case normal = 0  // pairs (2i, 2i+1): llama, mistral
        case neox = 2    // pairs (i, i + d/2): qwen2
    }

    public var architecture: Architecture
    public var name: String
    public var dim: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var ffnDim: Int
    public var vocabSize: Int
    public var contextLength: Int
    public var ropeBase: Float
    public var ropeDim: Int
    public var ropeMode: RopeMode
    public var normEps: Float

    public var kvDim: Int { kvHeads * headDim }
    public var qDim: Int { heads * headDim }

    public init(architecture: Architecture, name: String, dim: Int, layers: Int, heads: Int, kvHeads: Int, headDim: Int,
                ffnDim: Int, vocabSize: Int, contextLength: Int, ropeBase: Float, ropeDim: Int, normEps: Float) {
        self.architecture = architecture
        self.name = name
        self.dim = dim
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.ffnDim = ffnDim
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.ropeBase = ropeBase
        self.ropeDim = ropeDim
        self.ropeMode = architecture == .qwen2 ? .neox : .normal
        self.normEps = normEps
    }

    public init(gguf: GGUFFile) throws {
        let path = gguf.path
        guard let archName = gguf.architecture else { throw GGUFError.missingKey(path: path, key: "general.architecture") }
        guard let arch = Architecture(rawValue: archName) else {
            throw GGUFError.unsupportedArchitecture(path: path, architecture: archName)
        }
        let m = gguf.metadata
        func required(_ key: String) throws -> Int {
            guard let v = m.int("\(archName).\(key)"), v > 0 else { throw GGUFError.missingKey(path: path, key: "\(archName).\(key)") }
            return v
        }
        let dim = try required("embedding_length")
        let heads = try required("attention.head_count")
        let kvHeads = m.int("\(archName).attention.head_count_kv") ?? heads
        let headDim = m.int("\(archName).attention.key_length") ?? dim / heads
        guard kvHeads > 0, heads % kvHeads == 0 else {
            throw GGUFError.malformed(path: path, reason: "head_count \(heads) is not a multiple of head_count_kv \(kvHeads)")
        }
        let vocab = try m.stringArray("tokenizer.ggml.tokens")?.count ?? required("vocab_size")
        let ropeDim = m.int("\(archName).rope.dimension_count") ?? headDim
        guard ropeDim % 2 == 0, ropeDim <= headDim, ropeDim <= 1024 else {
            throw GGUFError.malformed(path: path, reason: "rope.dimension_count \(ropeDim) does not fit head size \(headDim)")
        }
        self.init(
            architecture: arch, name: m.string("general.name") ?? archName,
            dim: dim, layers: try required("block_count"), heads: heads, kvHeads: kvHeads, headDim: headDim,
            ffnDim: try required("feed_forward_length"), vocabSize: vocab,
            contextLength: m.int("\(archName).context_length") ?? 2048,
            ropeBase: m.float("\(archName).rope.freq_base") ?? 10000, ropeDim: ropeDim,
            normEps: m.float("\(archName).attention.layer_norm_rms_epsilon") ?? 1e-5)
    }
}
