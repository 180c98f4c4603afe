/// What one single-sequence generation asks for.
public struct GenerationRequest: Sendable {
    /// Prompt token ids (already tokenized, special tokens parsed as the caller chose).
    public var promptIDs: [Int32]
    public var maxTokens: Int
    public var sampling: SamplingParams
    /// Keep generating past end-of-generation tokens (benchmarks).
    public var ignoreEOS = false
    /// Extra token ids that end generation.
    public var stopIDs: Set<Int32> = []

    public init(promptIDs: [Int32], maxTokens: Int, sampling: SamplingParams) {
        self.promptIDs = promptIDs
        self.maxTokens = maxTokens
        self.sampling = sampling
    }
}

/// Why generation ended.
public enum FinishReason: String, Sendable, Codable {
    case stop
    case length
}

/// The outcome of one generation, with its timings.
public struct GenerationResult: Sendable {
    public var promptIDs: [Int32]
    public var outputIDs: [Int32]
    public var text: String
    public var finishReason: FinishReason
    public var promptSeconds: Double
    public var decodeSeconds: Double

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptIDs.count) / promptSeconds : 0 }
    /// Decode rate over the tokens after the first (the first comes from the prompt pass).
    public var decodeTokensPerSecond: Double {
        decodeSeconds > 0 ? Double(max(0, outputIDs.count - 1)) / decodeSeconds : 0
    }
}
