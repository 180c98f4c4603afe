import Foundation

/// Runs one sequence at a time through the model: the prompt in chunks, then one
/// token per step, streaming text as it becomes whole UTF-8. The CLI's `generate`
/// and the checks against llama.cpp use it; the engine batches many sequences instead.
public struct Generator {
    public let model: LanguageModel
    /// Most tokens of one forward pass while reading the prompt.
    public var promptChunk = 512

    public enum Error: Swift.Error, CustomStringConvertible {
        case emptyPrompt
        case promptTooLong(tokens: Int, context: Int)
        case badRequest(String)

        public var description: String {
            switch self {
            case .emptyPrompt: "the prompt is empty"
            case .promptTooLong(let t, let c): "the prompt (\(t) tokens) plus max tokens exceeds the context (\(c) tokens)"
            case .badRequest(let r): r
            }
        }
    }

    public init(model: LanguageModel) {
        self.model = model
    }

    /// - Parameter onText: called with each piece of text as soon as it is whole UTF-8.
    public func generate(_ request: GenerationRequest, contextLength: Int? = nil,
                         onText: (String) -> Void = { _ in }) throws -> GenerationResult {
        let prompt = request.promptIDs
        guard !prompt.isEmpty else { throw Error.emptyPrompt }
        guard request.maxTokens >= 0 else { throw Error.badRequest("max tokens must be >= 0") }
        if let e = request.sampling.validationError() { throw Error.badRequest(e) }
        let ctx = contextLength ?? model.config.contextLength
        guard prompt.count + request.maxTokens <= ctx else {
            throw Error.promptTooLong(tokens: prompt.count, context: ctx)
        }
        let cache = KVCache(layers: model.config.layers, kvDim: model.config.kvDim,
                            blocks: (prompt.count + request.maxTokens + 15) / 16 + 1)
        var blocks = SequenceBlocks(cache: cache)
        var sampler = Sampler(params: request.sampling)
        sampler.accept(prompt)
        var detok = StreamingDetokenizer(tokenizer: model.tokenizer)

        let t0 = Date()
        var logits: [Float] = []
        var pos = 0
        while pos < prompt.count {
            let end = min(prompt.count, pos + promptChunk)
            var batch = ForwardBatch()
            batch.append(tokens: Array(prompt[pos..<end]), startPosition: pos,
                         blockTable: try blocks.reserve(0, length: end), wantLogits: end == prompt.count)
            logits = try model.transformer.forward(batch, cache: cache)
            pos = end
        }
        let promptSeconds = Date().timeIntervalSince(t0)

        var output: [Int32] = []
        var text = ""
        var finish = FinishReason.length
        let t1 = Date()
        while output.count < request.maxTokens {
            let next = logits.withUnsafeBufferPointer { sampler.sample($0) }
            let ends = model.tokenizer.isEndOfGeneration(next) || request.stopIDs.contains(next)
            if ends && !request.ignoreEOS {
                output.append(next)
                finish = .stop
                break
            }
            output.append(next)
            sampler.accept(next)
            let piece = detok.append(next)
            if !piece.isEmpty {
                text += piece
                onText(piece)
            }
            if output.count == request.maxTokens { break }
            var batch = ForwardBatch()
            batch.append(tokens: [next], startPosition: pos, blockTable: try blocks.reserve(0, length: pos + 1))
            logits = try model.transformer.forward(batch, cache: cache)
            pos += 1
        }
        let tail = detok.finish()
        if !tail.isEmpty {
            text += tail
            onText(tail)
        }
        return GenerationResult(promptIDs: prompt, outputIDs: output, text: text, finishReason: finish,
                                promptSeconds: promptSeconds, decodeSeconds: Date().timeIntervalSince(t1))
    }
}
