import Foundation
import TallyModel

/// Offline throughput of one model on this machine, measured as llama.cpp's tools measure it:
/// - pp N: a prompt of N tokens in one forward pass from an empty cache (llama-bench's pp);
/// - tg N: N tokens decoded one at a time from an empty cache (llama-bench's tg);
/// - batch decode B: B sequences with a prompt of `batchPrompt` tokens each, then `batchGen` steps
///   in which every sequence decodes one token, in one forward pass per step; tokens/s summed over
///   the B sequences (llama-batched-bench's S_TG).
/// Prompt tokens are pseudo-random ids from a fixed seed, so runs are repeatable.
public struct OfflineBench {
    public struct Config: Sendable {
        public var promptTokens = 512
        public var genTokens = 128
        public var reps = 5
        public var batches: [Int] = [1, 2, 4, 8, 16, 32]
        public var batchPrompt = 128
        public var batchGen = 128
        public init() {}
    }

    /// One measured figure: the median and spread of its repetitions.
    public struct Figure: Sendable, Codable {
        public var median: Double
        public var min: Double
        public var max: Double
        public var samples: [Double]

        public init(samples: [Double]) {
            let s = samples.sorted()
            self.samples = samples
            median = s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
            min = s.first ?? 0
            max = s.last ?? 0
        }
    }

    public struct Result: Sendable {
        public var pp: Figure
        public var tg: Figure
        public var batchDecode: [(batch: Int, tokensPerSecond: Figure)]
    }

    public enum Error: Swift.Error, CustomStringConvertible {
        case badConfig(String)
        public var description: String {
            switch self {
            case .badConfig(let s): s
            }
        }
    }

    public let model: LanguageModel
    public let config: Config

    public init(model: LanguageModel, config: Config) throws {
        guard config.promptTokens >= 1, config.genTokens >= 1, config.reps >= 1 else {
            throw Error.badConfig("--prompt, --gen and --reps must be at least 1")
        }
        guard config.batches.allSatisfy({ (1...256).contains($0) }) else { throw Error.badConfig("--batch sizes must be between 1 and 256") }
        guard config.promptTokens <= model.config.contextLength, config.batchPrompt + config.batchGen <= model.config.contextLength else {
            throw Error.badConfig("the bench needs more context than the model's \(model.config.contextLength) tokens")
        }
        self.model = model
        self.config = config
    }

    /// Runs every test; `progress` gets a label and the fraction done.
    public func run(progress: (String, Double) -> Void = { _, _ in }) throws -> Result {
        let c = config
        let steps = Double(c.reps * (2 + c.batches.count))
        var done = 0.0
        func tick(_ label: String) {
            done += 1
            progress(label, done / steps)
        }
        var rng = SeededGenerator(seed: 0x7A11)
        let vocab = UInt64(model.config.vocabSize)
        func tokens(_ n: Int) -> [Int32] { (0..<n).map { _ in Int32(rng.next() % vocab) } }

        var pp: [Double] = [], tg: [Double] = []
        var batch: [[Double]] = Array(repeating: [], count: c.batches.count)
        for _ in 0..<c.reps {
            pp.append(try promptThroughput(tokens(c.promptTokens)))
            tick("pp\(c.promptTokens)")
            tg.append(try decodeThroughput(sequences: 1, prompt: 1, gen: c.genTokens, seedTokens: tokens(1)))
            tick("tg\(c.genTokens)")
            for (i, b) in c.batches.enumerated() {
                batch[i].append(try decodeThroughput(sequences: b, prompt: c.batchPrompt, gen: c.batchGen,
                                                     seedTokens: tokens(b * c.batchPrompt)))
                tick("decode B=\(b)")
            }
        }
        return Result(pp: Figure(samples: pp), tg: Figure(samples: tg), batchDecode: zip(c.batches, batch).map { ($0, Figure(samples: $1)) })
    }

    private func cache(tokens: Int) -> KVCache {
        KVCache(layers: model.config.layers, kvDim: model.config.kvDim, blocks: (tokens + 15) / 16 + 1)
    }

    private func promptThroughput(_ prompt: [Int32]) throws -> Double {
        let kv = cache(tokens: prompt.count)
        var blocks = SequenceBlocks(cache: kv)
        var batch = ForwardBatch()
        batch.append(tokens: prompt, startPosition: 0, blockTable: try blocks.reserve(0, length: prompt.count))
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = try model.transformer.forward(batch, cache: kv)
        return Double(prompt.count) / (Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }

    /// `sequences` sequences, each fed `prompt` tokens (untimed), then `gen` timed steps of one
    /// token per sequence; greedy arg-max picks each next token. Returns tokens/s over all sequences.
    private func decodeThroughput(sequences: Int, prompt: Int, gen: Int, seedTokens: [Int32]) throws -> Double {
        let kv = cache(tokens: sequences * (prompt + gen + 16))
        var blocks = SequenceBlocks(cache: kv)
        var next = [Int32](repeating: 0, count: sequences)
        var tables: [[Int32]] = []
        for s in 0..<sequences {
            let ids = Array(seedTokens[(s * prompt)..<((s + 1) * prompt)])
            tables.append(try blocks.reserve(s, length: prompt + gen))
            var batch = ForwardBatch()
            batch.append(tokens: ids, startPosition: 0, blockTable: tables[s])
            next[s] = argmax(try model.transformer.forward(batch, cache: kv), row: 0)
        }
        let vocab = model.config.vocabSize
        let t0 = DispatchTime.now().uptimeNanoseconds
        for step in 0..<gen {
            var batch = ForwardBatch()
            for s in 0..<sequences {
                batch.append(tokens: [next[s]], startPosition: prompt + step, blockTable: tables[s])
            }
            let logits = try model.transformer.forward(batch, cache: kv)
            for s in 0..<sequences { next[s] = argmax(logits, row: s, vocab: vocab) }
        }
        return Double(sequences * gen) / (Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    }

    private func argmax(_ logits: [Float], row: Int, vocab: Int? = nil) -> Int32 {
        let v = vocab ?? logits.count
        var best = row * v
        for j in (row * v)..<((row + 1) * v) where logits[j] > logits[best] { best = j }
        return Int32(best - row * v)
    }
}
