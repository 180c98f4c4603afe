import CKernels
import Foundation
import XCTest

/// Row ops and attention on every ISA level against double-precision references.
final class OpsTests: XCTestCase {
    func testSwiGLUAgreesAcrossLevelsAndWithExp() {
        var rng = KT.RNG(state: 3)
        for n in [1, 7, 8, 33, 1536] {
            let g = rng.floats(n, scale: 12), u = rng.floats(n, scale: 2)
            var outs: [[Float]] = []
            for isa in KT.levels {
                var y = [Float](repeating: .nan, count: n)
                kern_swiglu(isa, g, u, &y, Int64(n))
                for i in 0..<n {
                    let ref = Double(g[i]) / (1 + exp(-Double(g[i]))) * Double(u[i])
                    XCTAssertEqual(Double(y[i]), ref, accuracy: 1e-6 * max(1, abs(ref)), "isa \(isa) n \(n) at \(i)")
                }
                outs.append(y)
            }
            for o in outs.dropFirst() { XCTAssertEqual(o, outs[0], "levels differ at n \(n)") }
        }
        // Outside the polynomial's range: exact limits, no NaN.
        var y = [Float](repeating: 0, count: 3)
        for isa in KT.levels {
            kern_swiglu(isa, [-200, 200, 0], [1, 1, 1], &y, 3)
            XCTAssertEqual(y, [-0.0, 200, 0])
        }
    }

    func testRMSNorm() {
        var rng = KT.RNG(state: 4)
        let (m, n) = (3, 70)
        let x = rng.floats(m * n, scale: 5), w = rng.floats(n)
        var y = [Float](repeating: 0, count: m * n)
        kern_rows_rmsnorm(x, w, &y, Int64(m), Int64(n), 1e-5)
        for r in 0..<m {
            let ms = (0..<n).reduce(0.0) { $0 + Double(x[r * n + $1]) * Double(x[r * n + $1]) } / Double(n)
            for i in 0..<n {
                XCTAssertEqual(Double(y[r * n + i]), Double(x[r * n + i]) / (ms + 1e-5).squareRoot() * Double(w[i]), accuracy: 1e-5)
            }
        }
    }

    func testRopeBothModes() {
        var rng = KT.RNG(state: 5)
        let (heads, hd, rope) = (2, 8, 6)          // rope on the first 6 of 8 dims
        for mode: Int32 in [0, 2] {
            let x = rng.floats(heads * hd)
            var y = x
            let ff: [Float] = [1, 2, 4]
            kern_rows_rope(&y, [7], 1, Int32(heads), Int32(hd), Int32(rope), 10000, ff, mode)
            for h in 0..<heads {
                for i in 0..<(rope / 2) {
                    let theta = 7 * pow(10000, -2 * Double(i) / Double(rope)) / Double(ff[i])
                    let (a, b) = mode == 2 ? (h * hd + i, h * hd + i + rope / 2) : (h * hd + 2 * i, h * hd + 2 * i + 1)
                    XCTAssertEqual(Double(y[a]), Double(x[a]) * cos(theta) - Double(x[b]) * sin(theta), accuracy: 1e-5)
                    XCTAssertEqual(Double(y[b]), Double(x[a]) * sin(theta) + Double(x[b]) * cos(theta), accuracy: 1e-5)
                }
                for i in rope..<hd { XCTAssertEqual(y[h * hd + i], x[h * hd + i], "dims past rope_dim untouched") }
            }
        }
    }

    /// Paged attention through a scrambled block table against a naive softmax attention.
    func testPagedAttentionAgainstReference() {
        var rng = KT.RNG(state: 6)
        let (heads, kvHeads, hd, bs) = (4, 2, 32, 4)
        let kvDim = kvHeads * hd
        let ctx = 11                               // 3 blocks of 4
        let table: [Int32] = [5, 0, 3]             // out of order on purpose
        let nBlocks = 6
        let k = rng.floats(ctx * kvDim), v = rng.floats(ctx * kvDim)
        var kc = [UInt16](repeating: 0, count: nBlocks * bs * kvDim), vc = kc
        let slots = (0..<ctx).map { table[$0 / bs] * Int32(bs) + Int32($0 % bs) }
        for isa in KT.levels { kern_kv_store(isa, k, v, slots, Int32(ctx), Int32(kvDim), &kc, &vc) }
        // Queries for the last 3 positions (a chunk attending to the cached past).
        let positions: [Int32] = [8, 9, 10]
        let q = rng.floats(positions.count * heads * hd)
        let pool = TestPool(threads: 2)
        var outs: [[Float]] = []
        for isa in KT.levels {
            var out = [Float](repeating: .nan, count: q.count)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * Int(kern_attention_scratch_floats(Int32(hd))))
            defer { scratch.deallocate() }
            q.withUnsafeBufferPointer { qp in
                out.withUnsafeMutableBufferPointer { op in
                    kc.withUnsafeBufferPointer { kp in
                        vc.withUnsafeBufferPointer { vp in
                            table.withUnsafeBufferPointer { tp in
                                let seq: [Int32] = [0, 0, 0]
                                seq.withUnsafeBufferPointer { sp in
                                    positions.withUnsafeBufferPointer { pp in
                                        var a = kern_attention_args(isa: isa, q: qp.baseAddress, out: op.baseAddress, k_cache: kp.baseAddress,
                                                                    v_cache: vp.baseAddress, block_tables: tp.baseAddress, token_seq: sp.baseAddress,
                                                                    token_pos: pp.baseAddress, scratch: scratch, max_blocks: 3, n_tokens: 3,
                                                                    n_head: Int32(heads), n_kv_head: Int32(kvHeads), head_dim: Int32(hd),
                                                                    block_size: Int32(bs), scale: 1 / Float(hd).squareRoot())
                                        kern_attention_paged(pool.pointer, &a)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for (t, p) in positions.enumerated() {
                for h in 0..<heads {
                    let kh = h / (heads / kvHeads)
                    var s = (0...Int(p)).map { j in (0..<hd).reduce(0.0) { $0 + Double(q[(t * heads + h) * hd + $1]) * Double(k[j * kvDim + kh * hd + $1]) } / Double(hd).squareRoot() }
                    let mx = s.max()!
                    s = s.map { exp($0 - mx) }
                    let z = s.reduce(0, +)
                    for i in 0..<hd {
                        let ref = (0...Int(p)).reduce(0.0) { $0 + s[$1] / z * Double(v[$1 * kvDim + kh * hd + i]) }
                        // K, V and Q are rounded to f16 and V is accumulated in f16: ~1e-3.
                        XCTAssertEqual(Double(out[(t * heads + h) * hd + i]), ref, accuracy: 4e-3, "isa \(isa) t \(t) h \(h) i \(i)")
                    }
                }
            }
            outs.append(out)
        }
        for o in outs.dropFirst() {
            for i in 0..<o.count { XCTAssertEqual(o[i], outs[0][i], accuracy: 2e-3) }
        }
    }

    func testPoolSplitCoversEverythingOnce() {
        for n in [0, 1, 5, 64, 1001] {
            for threads in 1...4 {
                var covered = [Int](repeating: 0, count: n)
                var prevEnd: Int64 = 0
                for t in 0..<threads {
                    var b: Int64 = 0, e: Int64 = 0
                    kern_pool_split(Int64(n), 4, Int32(t), Int32(threads), &b, &e)
                    XCTAssertEqual(b, prevEnd)
                    XCTAssertEqual(b % 4 == 0 || b == Int64(n), true)
                    for i in b..<e { covered[Int(i)] += 1 }
                    prevEnd = e
                }
                XCTAssertEqual(covered, [Int](repeating: 1, count: n))
            }
        }
    }
}
