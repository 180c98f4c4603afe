/// A loaded model: the mapped GGUF file, its config and weights, the forward pass,
/// and the tokenizer and chat template its metadata carries.
public final class LanguageModel: @unchecked Sendable {  // immutable after load; the transformer runs one pass at a time
    public let file: GGUFFile
    public let config: ModelConfig
    public let weights: ModelWeights
    public let transformer: Transformer
    public let tokenizer: Tokenizer
    /// The GGUF's `tokenizer.chat_template`, or documented ChatML when it has none.
    public let chatTemplate: ChatTemplate

    public init(path: String, compute: ComputeContext) throws {
        file = try GGUFFile(path: path)
        config = try ModelConfig(gguf: file)
        weights = try ModelWeights(gguf: file, config: config)
        if compute.numaNodes > 1 { file.interleaveAcrossNUMANodes() }
        transformer = Transformer(config: config, weights: weights, compute: compute)
        tokenizer = try Tokenizer(vocab: TokenizerVocab(metadata: file.metadata))
        chatTemplate = try ChatTemplate.resolve(ggufTemplate: file.metadata.string("tokenizer.chat_template"))
    }

    /// The model's id as served: the GGUF's `general.name`, else the file name without `.gguf`.
    public var id: String {
        if let n = file.metadata.string("general.name"), !n.isEmpty { return n }
        let base = file.path.split(separator: "/").last.map(String.init) ?? file.path
        return base.hasSuffix(".gguf") ? String(base.dropLast(5)) : base
    }

    /// Renders chat messages through the model's template, with the generation prompt.
    public func renderChat(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) throws -> String {
        func text(_ id: Int32?) -> String { id.flatMap { tokenizer.tokenText($0) } ?? "" }
        return try chatTemplate.render(messages: messages, addGenerationPrompt: addGenerationPrompt,
                                       bosToken: text(tokenizer.bosID), eosToken: text(tokenizer.eosID))
    }
}
