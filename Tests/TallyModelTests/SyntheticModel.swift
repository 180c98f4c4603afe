import CKernels
import Foundation
import TallyModel

/// Tiny random llama-family models written as GGUF files, and a naive
/// double-precision forward pass over the same weights to check Tally against.
struct SyntheticModel {
    struct Spec {
        var architecture = "llama"
        var dim = 64
        var layers = 2
        var heads = 4
        var kvHeads = 2
        var ffn = 96
        var weightType = KERN_DTYPE_F32
        var tiedOutput = true
        var biases = false
        var seed: UInt64 = 1
    }

    let spec: Spec
    let vocab: [String]
    let scores: [Float]
    let tokenTypes: [Int32]
    /// name → (dims in ggml order, float values before quantization)
    var tensors: [(name: String, dims: [Int], values: [Float], quantize: Bool)] = []

    init(_ spec: Spec) {
        self.spec = spec
        // SentencePiece vocab: <unk>, <s>, </s>, 256 byte tokens, then word pieces.
        var v = ["<unk>", "<s>", "</s>"] + (0..<256).map { String(format: "<0x%02X>", $0) }
        let pieces = ["▁", "▁t", "▁th", "▁the", "h", "e", "t", "▁a", "a", "b", "c", "▁c", "▁ca", "▁cat", "s", "▁is", "i"]
        v += pieces
        vocab = v
        scores = (0..<v.count).map { i in i < 259 ? 0 : -Float(i - 259) }
        tokenTypes = (0..<v.count).map { i in i == 0 ? 2 : (i < 3 ? 3 : (i < 259 ? 6 : 1)) }
        var rng = SeededGenerator(seed: spec.seed)
        let d = spec.dim, hd = d / spec.heads, kv = spec.kvHeads * hd, n = v.count
        func rand(_ count: Int, _ scale: Float) -> [Float] { (0..<count).map { _ in rng.signedUnit() * scale } }
        func norm(_ count: Int) -> [Float] { (0..<count).map { _ in 1 + rng.signedUnit() * 0.2 } }
        tensors.append(("token_embd.weight", [d, n], rand(n * d, 1), true))
        tensors.append(("output_norm.weight", [d], norm(d), false))
        if !spec.tiedOutput { tensors.append(("output.weight", [d, n], rand(n * d, 0.3), true)) }
        let ws = 1 / Float(d).squareRoot()
        for l in 0..<spec.layers {
            let p = "blk.\(l)."
            tensors.append((p + "attn_norm.weight", [d], norm(d), false))
            tensors.append((p + "attn_q.weight", [d, d], rand(d * d, ws * 2), true))
            tensors.append((p + "attn_k.weight", [d, kv], rand(d * kv, ws * 2), true))
            tensors.append((p + "attn_v.weight", [d, kv], rand(d * kv, ws), true))
            if spec.biases {
                tensors.append((p + "attn_q.bias", [d], rand(d, 0.1), false))
                tensors.append((p + "attn_k.bias", [kv], rand(kv, 0.1), false))
                tensors.append((p + "attn_v.bias", [kv], rand(kv, 0.1), false))
            }
            tensors.append((p + "attn_output.weight", [d, d], rand(d * d, ws), true))
            tensors.append((p + "ffn_norm.weight", [d], norm(d), false))
            tensors.append((p + "ffn_gate.weight", [d, spec.ffn], rand(d * spec.ffn, ws * 2), true))
            tensors.append((p + "ffn_up.weight", [d, spec.ffn], rand(d * spec.ffn, ws * 2), true))
            tensors.append((p + "ffn_down.weight", [spec.ffn, d], rand(d * spec.ffn, 1 / Float(spec.ffn).squareRoot()), true))
        }
    }

    func write(to path: String) throws {
        var w = GGUFWriter()
        let a = spec.architecture
        w.metadata = [
            ("general.architecture", .string(a)),
            ("general.name", .string("synthetic-\(a)")),
            ("\(a).embedding_length", .uint32(UInt32(spec.dim))),
            ("\(a).block_count", .uint32(UInt32(spec.layers))),
            ("\(a).attention.head_count", .uint32(UInt32(spec.heads))),
            ("\(a).attention.head_count_kv", .uint32(UInt32(spec.kvHeads))),
            ("\(a).feed_forward_length", .uint32(UInt32(spec.ffn))),
            ("\(a).context_length", .uint32(256)),
            ("\(a).rope.freq_base", .float32(10000)),
            ("\(a).attention.layer_norm_rms_epsilon", .float32(1e-5)),
            ("tokenizer.ggml.model", .string("llama")),
            ("tokenizer.ggml.tokens", .array(vocab.map { .string($0) })),
            ("tokenizer.ggml.scores", .array(scores.map { .float32($0) })),
            ("tokenizer.ggml.token_type", .array(tokenTypes.map { .int32($0) })),
            ("tokenizer.ggml.bos_token_id", .uint32(1)),
            ("tokenizer.ggml.eos_token_id", .uint32(2)),
            ("tokenizer.ggml.unknown_token_id", .uint32(0)),
            ("tokenizer.ggml.add_bos_token", .bool(true)),
            ("tokenizer.ggml.add_space_prefix", .bool(true)),
        ]
        w.tensors = tensors.map { t in
            let type = t.quantize ? spec.weightType : KERN_DTYPE_F32
            return GGUFWriter.Tensor(name: t.name, dims: t.dims, type: Int32(type.rawValue), data: SyntheticModel.encode(t.values, type))
        }
        try w.write(to: path)
    }

    static func encode(_ x: [Float], _ type: kern_dtype) -> [UInt8] {
        switch type {
        case KERN_DTYPE_F32:
            return x.withUnsafeBytes { Array($0) }
        case KERN_DTYPE_F16:
            return x.flatMap { v in withUnsafeBytes(of: kern_fp16_from_fp32(v).littleEndian) { Array($0) } }
        case KERN_DTYPE_Q8_0:
            var out: [UInt8] = []
            for b in stride(from: 0, to: x.count, by: 32) {
                let blk = x[b..<b + 32]
                let d = (blk.map(abs).max() ?? 0) / 127
                withUnsafeBytes(of: kern_fp16_from_fp32(d).littleEndian) { out += $0 }
                out += blk.map { UInt8(bitPattern: Int8(d == 0 ? 0 : ($0 / d).rounded())) }
            }
            return out
        default:
            fatalError("synthetic models use f32, f16 or q8_0")
        }
    }

    /// The weights as the file stores them, decoded back to floats (what both forward passes see).
    func decoded(_ name: String) -> [Double] {
        let t = tensors.first { $0.name == name }!
        let type = t.quantize ? spec.weightType : KERN_DTYPE_F32
        let bytes = SyntheticModel.encode(t.values, type)
        var out = [Float](repeating: 0, count: t.values.count)
        bytes.withUnsafeBytes { src in
            out.withUnsafeMutableBufferPointer { _ = kern_row_dequant(Int32(type.rawValue), src.baseAddress, $0.baseAddress, Int64(t.values.count)) }
        }
        return out.map(Double.init)
    }

    /// Naive forward pass in doubles: logits of every position of `tokens`. [T][vocab]
    func referenceLogits(_ tokens: [Int32]) -> [[Double]] {
        let d = spec.dim, hd = d / spec.heads, kvd = spec.kvHeads * hd, f = spec.ffn, n = vocab.count
        let group = spec.heads / spec.kvHeads
        let neox = spec.architecture == "qwen2"
        func matvec(_ w: [Double], rows: Int, cols: Int, _ x: [Double]) -> [Double] {
            (0..<rows).map { r in (0..<cols).reduce(0.0) { $0 + w[r * cols + $1] * x[$1] } }
        }
        func rmsnorm(_ x: [Double], _ w: [Double]) -> [Double] {
            let ms = x.reduce(0) { $0 + $1 * $1 } / Double(x.count)
            let s = 1 / (ms + 1e-5).squareRoot()
            return zip(x, w).map { $0 * s * $1 }
        }
        func rope(_ v: inout [Double], heads: Int, pos: Int) {
            for h in 0..<heads {
                for i in 0..<(hd / 2) {
                    let theta = Double(pos) * pow(10000, -2 * Double(i) / Double(hd))
                    let (a, b) = neox ? (h * hd + i, h * hd + i + hd / 2) : (h * hd + 2 * i, h * hd + 2 * i + 1)
                    let x0 = v[a], x1 = v[b]
                    v[a] = x0 * cos(theta) - x1 * sin(theta)
                    v[b] = x0 * sin(theta) + x1 * cos(theta)
                }
            }
        }
        let emb = decoded("token_embd.weight")
        let out = spec.tiedOutput ? emb : decoded("output.weight")
        var keys = [[[Double]]](repeating: [], count: spec.layers)    // [layer][pos][kvd]
        var values = [[[Double]]](repeating: [], count: spec.layers)
        var result: [[Double]] = []
        for (pos, tok) in tokens.enumerated() {
            var x = Array(emb[(Int(tok) * d)..<(Int(tok) * d + d)])
            for l in 0..<spec.layers {
                let p = "blk.\(l)."
                let xb = rmsnorm(x, decoded(p + "attn_norm.weight"))
                var q = matvec(decoded(p + "attn_q.weight"), rows: d, cols: d, xb)
                var k = matvec(decoded(p + "attn_k.weight"), rows: kvd, cols: d, xb)
                var v = matvec(decoded(p + "attn_v.weight"), rows: kvd, cols: d, xb)
                if spec.biases {
                    q = zip(q, decoded(p + "attn_q.bias")).map(+)
                    k = zip(k, decoded(p + "attn_k.bias")).map(+)
                    v = zip(v, decoded(p + "attn_v.bias")).map(+)
                }
                rope(&q, heads: spec.heads, pos: pos)
                rope(&k, heads: spec.kvHeads, pos: pos)
                keys[l].append(k)
                values[l].append(v)
                var att = [Double](repeating: 0, count: d)
                for h in 0..<spec.heads {
                    let kh = h / group
                    var s = (0...pos).map { t in (0..<hd).reduce(0.0) { $0 + q[h * hd + $1] * keys[l][t][kh * hd + $1] } / Double(hd).squareRoot() }
                    let m = s.max()!
                    s = s.map { exp($0 - m) }
                    let z = s.reduce(0, +)
                    for t in 0...pos {
                        for i in 0..<hd { att[h * hd + i] += s[t] / z * values[l][t][kh * hd + i] }
                    }
                }
                x = zip(x, matvec(decoded(p + "attn_output.weight"), rows: d, cols: d, att)).map(+)
                let xf = rmsnorm(x, decoded(p + "ffn_norm.weight"))
                let g = matvec(decoded(p + "ffn_gate.weight"), rows: f, cols: d, xf)
                let u = matvec(decoded(p + "ffn_up.weight"), rows: f, cols: d, xf)
                let h = zip(g, u).map { $0 / (1 + exp(-$0)) * $1 }
                x = zip(x, matvec(decoded(p + "ffn_down.weight"), rows: d, cols: f, h)).map(+)
            }
            result.append(matvec(out, rows: n, cols: d, rmsnorm(x, decoded("output_norm.weight"))))
        }
        return result
    }
}
