import CKernels
import Foundation
import TallyModel
import XCTest

/// End to end on tiny synthetic GGUFs: load, tokenize (SentencePiece), forward,
/// generate; logits checked against a naive double-precision forward pass.
final class SyntheticModelTests: XCTestCase {
    private func load(_ spec: SyntheticModel.Spec, _ name: String) throws -> (SyntheticModel, LanguageModel) {
        let synth = SyntheticModel(spec)
        let path = TestSupport.temporaryPath(name)
        try synth.write(to: path)
        return (synth, try LanguageModel(path: path, compute: try ComputeContext(threads: 2)))
    }

    private func logits(_ model: LanguageModel, _ tokens: [Int32], chunk: Int) throws -> [[Float]] {
        let cache = KVCache(config: model.config, megabytes: 1)
        var blocks = SequenceBlocks(cache: cache)
        var rows: [[Float]] = []
        let v = model.config.vocabSize
        var pos = 0
        while pos < tokens.count {
            let end = min(tokens.count, pos + chunk)
            var batch = ForwardBatch()
            batch.append(tokens: Array(tokens[pos..<end]), startPosition: pos, blockTable: try blocks.reserve(0, length: end),
                         allLogits: true)
            let l = try model.transformer.forward(batch, cache: cache)
            for r in 0..<(end - pos) { rows.append(Array(l[(r * v)..<((r + 1) * v)])) }
            pos = end
        }
        return rows
    }

    /// Max |ours - reference| over all positions, relative to the reference's largest logit.
    private func check(_ spec: SyntheticModel.Spec, _ name: String, tolerance: Double,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let (synth, model) = try load(spec, name)
        let tokens: [Int32] = [1, 262, 270, 271, 5, 9, 263, 272, 40, 259, 260, 275, 264, 268, 269, 270, 271, 3, 2, 274, 266, 12]
        let ref = synth.referenceLogits(tokens)
        let ours = try logits(model, tokens, chunk: tokens.count)
        var maxErr = 0.0, scale = 0.0
        for (r, o) in zip(ref, ours) {
            for (a, b) in zip(r, o) {
                maxErr = max(maxErr, abs(a - Double(b)))
                scale = max(scale, abs(a))
            }
        }
        XCTAssertGreaterThan(scale, 0.5, "the synthetic model's logits are not trivial", file: file, line: line)
        XCTAssertLessThan(maxErr / scale, tolerance, "\(name): max error \(maxErr) over logit scale \(scale)", file: file, line: line)

        // Chunked prefill and token-by-token decode give the same rows as one batch, bit for bit.
        for chunk in [1, 5] {
            XCTAssertEqual(try logits(model, tokens, chunk: chunk), ours, "\(name): chunk \(chunk) differs", file: file, line: line)
        }
    }

    func testF32GQATiedOutput() throws {
        try check(.init(), "f32-gqa.gguf", tolerance: 2e-3)
    }

    func testF16NoGQAUntiedOutput() throws {
        var s = SyntheticModel.Spec()
        s.kvHeads = 4
        s.tiedOutput = false
        s.weightType = KERN_DTYPE_F16
        s.seed = 2
        try check(s, "f16-mha-untied.gguf", tolerance: 2e-3)
    }

    func testQ8_0Weights() throws {
        var s = SyntheticModel.Spec()
        s.weightType = KERN_DTYPE_Q8_0
        s.layers = 3
        s.seed = 3
        // Activations are quantized to 8 bits on the integer path: a looser bound.
        try check(s, "q8_0.gguf", tolerance: 2e-2)
    }

    func testQwen2BiasesAndNeoxRope() throws {
        var s = SyntheticModel.Spec()
        s.architecture = "qwen2"
        s.biases = true
        s.kvHeads = 1
        s.seed = 4
        try check(s, "qwen2.gguf", tolerance: 2e-3)
    }

    func testSentencePieceVocabAndGenerationEndToEnd() throws {
        let (_, model) = try load(.init(), "spm-e2e.gguf")
        // "the cat" → BOS, ▁the, ▁cat (space prefix added, longest scored merges).
        let ids = model.tokenizer.encode("the cat", parseSpecial: false)
        XCTAssertEqual(ids, [1, 262, 272])
        XCTAssertEqual(model.tokenizer.decode(Array(ids.dropFirst())), " the cat")
        // Byte fallback for a character the vocab lacks: "▁é" → ▁ (259), then <0xC3> <0xA9> (ids 3 + byte).
        let byteC3: Int32 = 3 + 0xC3, byteA9: Int32 = 3 + 0xA9
        XCTAssertEqual(model.tokenizer.encode("é", parseSpecial: false), [1, 259, byteC3, byteA9])
        var req = GenerationRequest(promptIDs: ids, maxTokens: 12, sampling: .greedy)
        req.ignoreEOS = true
        let r = try Generator(model: model).generate(req)
        XCTAssertEqual(r.outputIDs.count, 12)
        XCTAssertEqual(r.finishReason, .length)
        // Greedy generation follows the arg-max of the model's own logits at every step.
        let all = try logits(model, ids + r.outputIDs.dropLast(), chunk: 64)
        for (i, out) in r.outputIDs.enumerated() {
            let row = all[ids.count - 1 + i]
            XCTAssertEqual(Int(out), row.indices.max { row[$0] < row[$1] }!, "step \(i)")
        }
        // Seeded sampling is reproducible.
        var sampled = GenerationRequest(promptIDs: ids, maxTokens: 8, sampling: SamplingParams())
        sampled.sampling.seed = 99
        sampled.sampling.temperature = 1.5
        sampled.ignoreEOS = true
        XCTAssertEqual(try Generator(model: model).generate(sampled).outputIDs, try Generator(model: model).generate(sampled).outputIDs)
    }

    func testUnsupportedArchitectureIsAClearError() throws {
        var s = SyntheticModel.Spec()
        s.architecture = "mamba"
        let path = TestSupport.temporaryPath("mamba.gguf")
        try SyntheticModel(s).write(to: path)
        XCTAssertThrowsError(try LanguageModel(path: path, compute: try ComputeContext(threads: 1))) { e in
            XCTAssertEqual(e as? GGUFError, .unsupportedArchitecture(path: path, architecture: "mamba"))
        }
    }

    func testMissingTensorIsAClearError() throws {
        var synth = SyntheticModel(.init())
        synth.tensors.removeAll { $0.name == "blk.1.ffn_up.weight" }
        let path = TestSupport.temporaryPath("missing.gguf")
        try synth.write(to: path)
        XCTAssertThrowsError(try LanguageModel(path: path, compute: try ComputeContext(threads: 1))) { e in
            XCTAssertEqual(e as? GGUFError, .missingTensor(path: path, tensor: "blk.1.ffn_up.weight"))
        }
    }

    func testShapeDisagreeingWithConfigIsAClearError() throws {
        var synth = SyntheticModel(.init())
        let i = synth.tensors.firstIndex { $0.name == "blk.0.attn_k.weight" }!
        synth.tensors[i].dims = [64, 16]            // config says [64, 32]
        synth.tensors[i].values = Array(synth.tensors[i].values.prefix(64 * 16))
        let path = TestSupport.temporaryPath("shape.gguf")
        try synth.write(to: path)
        XCTAssertThrowsError(try LanguageModel(path: path, compute: try ComputeContext(threads: 1))) { e in
            guard case .tensorSizeMismatch(_, "blk.0.attn_k.weight", _)? = e as? GGUFError else { return XCTFail("\(e)") }
        }
    }
}
