import ArgumentParser
import Foundation
import TallyModel

struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Perplexity of a text file, measured as llama.cpp's perplexity tool does.")

    @OptionGroup var options: ModelOptions
    @Option(help: "Text file to score.") var file: String
    @Option(help: "Window size in tokens; each window is scored on its second half.") var ctx = 512
    @Flag(help: "Print {\"ppl\": x, \"chunks\": n}.") var json = false

    func run() throws {
        try runReportingErrors {
            let model = try options.load()
            let tokens = model.tokenizer.encode(try readText(file), parseSpecial: false)
            let r = try Perplexity(model: model).evaluate(tokens: tokens, context: ctx) { done, total in
                if !json { FileHandle.standardError.write(Data("\r[\(done)/\(total)]".utf8)) }
            }
            if json {
                try printJSON(PerplexityJSON(ppl: r.perplexity, chunks: r.chunks))
            } else {
                FileHandle.standardError.write(Data("\n".utf8))
                print(String(format: "perplexity: %.4f ± %.4f over %d chunks of %d tokens (%d scored, %.1f s)",
                             r.perplexity, r.standardError, r.chunks, ctx, r.scoredTokens, r.seconds))
            }
        }
    }
}

struct PerplexityJSON: Encodable {
    var ppl: Double
    var chunks: Int
}
