/// How the next token is chosen from the logits. The defaults are llama.cpp's
/// sampler defaults, with temperature 0 meaning greedy.
public struct SamplingParams: Sendable, Equatable, Codable {
    /// 0 (or below) picks the most likely token.
    public var temperature: Float = 0.8
    /// Keep the k most likely tokens; 0 keeps all.
    public var topK: Int = 40
    /// Keep the smallest set whose probability reaches p; 1 keeps all.
    public var topP: Float = 0.95
    /// Drop tokens less likely than minP × the most likely one; 0 keeps all.
    public var minP: Float = 0.05
    /// Divides positive (multiplies negative) logits of tokens seen in the last `penaltyLastN`; 1 is off.
    public var repetitionPenalty: Float = 1
    /// Subtracted once per occurrence (OpenAI's frequency_penalty).
    public var frequencyPenalty: Float = 0
    /// Subtracted once if the token occurred (OpenAI's presence_penalty).
    public var presencePenalty: Float = 0
    /// How many recent tokens the penalties look at; -1 all.
    public var penaltyLastN: Int = 64
    /// Makes sampling reproducible; nil draws a seed from the system.
    public var seed: UInt64?

    public init() {}

    public static var greedy: SamplingParams {
        var p = SamplingParams()
        p.temperature = 0
        return p
    }

    public var isGreedy: Bool { temperature <= 0 }

    /// A message naming the first out-of-range value, or nil.
    public func validationError() -> String? {
        if !temperature.isFinite || temperature < 0 || temperature > 100 { return "temperature must be between 0 and 100" }
        if topK < 0 { return "top_k must be >= 0" }
        if !(topP > 0 && topP <= 1) { return "top_p must be in (0, 1]" }
        if !(minP >= 0 && minP <= 1) { return "min_p must be in [0, 1]" }
        if !(repetitionPenalty > 0 && repetitionPenalty.isFinite) { return "repetition_penalty must be > 0" }
        if !(frequencyPenalty >= -2 && frequencyPenalty <= 2) { return "frequency_penalty must be between -2 and 2" }
        if !(presencePenalty >= -2 && presencePenalty <= 2) { return "presence_penalty must be between -2 and 2" }
        if penaltyLastN < -1 { return "penalty_last_n must be >= -1" }
        return nil
    }
}
