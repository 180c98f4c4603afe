import ArgumentParser
import Foundation
import TallyBench
import TallyModel

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure what this machine delivers.",
        subcommands: [BenchOffline.self])
}

struct BenchOffline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offline",
        abstract: "Prompt and decode throughput of a model, as llama-bench and llama-batched-bench measure them.")

    @OptionGroup var options: ModelOptions
    @Option(help: "Prompt tokens of the pp test.") var prompt = 512
    @Option(help: "Tokens of the tg test.") var gen = 128
    @Option(help: "Repetitions of every test (the median is reported).") var reps = 5
    @Option(help: "Sequences decoding together, comma-separated.") var batch = "1,2,4,8,16,32"
    @Option(help: "Prompt tokens per sequence before the batched decode.") var batchPrompt = 128
    @Option(help: "Decode steps of the batched decode.") var batchGen = 128
    @Flag(help: "Print {\"pp_tok_s\", \"tg_tok_s\", \"batch_decode\"} as JSON.") var json = false

    func run() throws {
        try runReportingErrors {
            let batches = try batch.split(separator: ",").map { part -> Int in
                guard let b = Int(part.trimmingCharacters(in: .whitespaces)) else { throw CLIError("--batch: '\(part)' is not a number") }
                return b
            }
            let model = try options.load()
            var config = OfflineBench.Config()
            config.promptTokens = prompt
            config.genTokens = gen
            config.reps = reps
            config.batches = batches
            config.batchPrompt = batchPrompt
            config.batchGen = batchGen
            let bench = try OfflineBench(model: model, config: config)
            let r = try bench.run { label, fraction in
                let width = 30
                let filled = Int(fraction * Double(width))
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                FileHandle.standardError.write(Data("\r[\(bar)] \(Int(fraction * 100))% \(label)        ".utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
            if json {
                try printJSON(OfflineJSON(pp_tok_s: r.pp.median, tg_tok_s: r.tg.median,
                                          batch_decode: r.batchDecode.map { .init(batch: $0.batch, tok_s: $0.tokensPerSecond.median) }))
                return
            }
            let t = model.transformer.compute
            print("model \(model.id) (\(options.modelPath)), \(reps) reps")
            print(t.summary)
            print(String(format: "weights read per decoded token: %.1f MB", Double(model.weights.bytesPerToken) / 1e6))
            print("test".padding(toLength: 16, withPad: " ", startingAt: 0) + "tok/s median      min      max")
            func row(_ name: String, _ f: OfflineBench.Figure) {
                print(name.padding(toLength: 16, withPad: " ", startingAt: 0)
                      + String(format: "%12.1f %8.1f %8.1f", f.median, f.min, f.max))
            }
            row("pp\(prompt)", r.pp)
            row("tg\(gen)", r.tg)
            for (b, f) in r.batchDecode { row("decode B=\(b)", f) }
        }
    }
}

struct OfflineJSON: Encodable {
    struct Batch: Encodable {
        var batch: Int
        var tok_s: Double
    }
    var pp_tok_s: Double
    var tg_tok_s: Double
    var batch_decode: [Batch]
}
