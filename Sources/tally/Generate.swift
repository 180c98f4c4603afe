import ArgumentParser
import Foundation
import TallyModel

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate text from a prompt or chat messages.")

    @OptionGroup var options: ModelOptions

    @Option(help: "Prompt text (special tokens such as <|im_start|> are parsed).") var prompt: String?
    @Option(help: "Read the prompt from a file.") var promptFile: String?
    @Option(help: "OpenAI-style messages (JSON) rendered through the model's chat template.") var messagesFile: String?
    @Option(help: "Most tokens to generate.") var maxTokens = 128
    @Option(help: "0 is greedy.") var temperature: Float = 0.8
    @Option var topK = 40
    @Option var topP: Float = 0.95
    @Option var minP: Float = 0.05
    @Option(help: "Repetition penalty (1 = off).") var repeatPenalty: Float = 1
    @Option(help: "Tokens the penalties look back over (-1 = all).") var repeatLastN = 64
    @Option var frequencyPenalty: Float = 0
    @Option var presencePenalty: Float = 0
    @Option(help: "Seed for reproducible sampling.") var seed: UInt64?
    @Flag(help: "Keep generating past end-of-generation tokens.") var ignoreEOS = false
    @Flag(help: "Print one JSON object instead of streaming text.") var json = false

    func validate() throws {
        let sources = [prompt != nil, promptFile != nil, messagesFile != nil].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give exactly one of --prompt, --prompt-file, --messages-file") }
    }

    func run() throws {
        try runReportingErrors {
            let model = try options.load()
            let text: String
            if let messagesFile {
                text = try model.renderChat(try readMessages(messagesFile))
            } else if let promptFile {
                text = try readText(promptFile)
            } else {
                text = prompt ?? ""
            }
            var sampling = SamplingParams()
            sampling.temperature = temperature
            sampling.topK = topK
            sampling.topP = topP
            sampling.minP = minP
            sampling.repetitionPenalty = repeatPenalty
            sampling.penaltyLastN = repeatLastN
            sampling.frequencyPenalty = frequencyPenalty
            sampling.presencePenalty = presencePenalty
            sampling.seed = seed
            var request = GenerationRequest(promptIDs: model.tokenizer.encode(text, parseSpecial: true), maxTokens: maxTokens,
                                            sampling: sampling)
            request.ignoreEOS = ignoreEOS
            let generator = Generator(model: model)
            if json {
                let r = try generator.generate(request)
                try printJSON(GenerateJSON(prompt_ids: r.promptIDs, output_ids: r.outputIDs, text: r.text,
                                           finish_reason: r.finishReason.rawValue))
            } else {
                let r = try generator.generate(request) { piece in
                    FileHandle.standardOutput.write(Data(piece.utf8))
                }
                print("")
                print(String(format: "[prompt: %d tokens, %.1f tok/s | decode: %d tokens, %.1f tok/s | finish: %@]",
                             r.promptIDs.count, r.promptTokensPerSecond, r.outputIDs.count, r.decodeTokensPerSecond,
                             r.finishReason.rawValue))
            }
        }
    }
}

struct GenerateJSON: Encodable {
    var prompt_ids: [Int32]
    var output_ids: [Int32]
    var text: String
    var finish_reason: String
}
