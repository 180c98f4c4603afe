/// A loaded model: the mapped GGUF file, its config and weights, and the forward pass.
public final class LanguageModel: @unchecked Sendable {  // immutable after load; the transformer runs one pass at a time
    public let file: GGUFFile
    public let config: ModelConfig
    public let weights: ModelWeights
    public let transformer: Transformer

    public init(path: String, compute: ComputeContext) throws {
        file = try GGUFFile(path: path)
        config = try ModelConfig(gguf: file)
        weights = try ModelWeights(gguf: file, config: config)
        transformer = Transformer(config: config, weights: weights, compute: compute)
    }

    /// The model's id as served: the GGUF's `general.name`, else the file name without `.gguf`.
    public var id: String {
        if let n = file.metadata.string("general.name"), !n.isEmpty { return n }
        let base = file.path.split(separator: "/").last.map(String.init) ?? file.path
        return base.hasSuffix(".gguf") ? String(base.dropLast(5)) : base
    }
}
