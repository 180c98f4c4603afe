import CKernels
import XCTest

/// test-backend-ops style: every matmul path on every ISA level against a float
/// reference computed from the dequantized weights, at odd shapes.
final class MatmulTests: XCTestCase {
    func run(type: kern_dtype, isa: Int32, w: [UInt8], x: [Float], m: Int, n: Int, k: Int, pool: TestPool) -> [Float] {
        var y = [Float](repeating: .nan, count: m * n)
        let bytes = kern_matmul_scratch_bytes(Int64(m), Int64(k), Int32(kern_pool_threads(pool.pointer)))
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        defer { scratch.deallocate() }
        w.withUnsafeBytes { wp in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    var a = kern_matmul_args(isa: isa, wtype: Int32(type.rawValue), w: wp.baseAddress, x: xp.baseAddress, y: yp.baseAddress,
                                             m: Int64(m), n: Int64(n), k: Int64(k), ldy: Int64(n), scratch: scratch)
                    XCTAssertEqual(kern_matmul(pool.pointer, &a), 0)
                }
            }
        }
        return y
    }

    func testQuantizedMatmulMatchesFloatReference() {
        var rng = KT.RNG(state: 42)
        let pool = TestPool(threads: 2)
        for type in [KERN_DTYPE_Q4_0, KERN_DTYPE_Q4_1, KERN_DTYPE_Q8_0] {
            for (m, n, k) in [(1, 7, 64), (3, 33, 96), (17, 5, 576), (64, 13, 32)] {
                let wf = rng.floats(n * k)
                let wq = KT.quantize(wf, type: type)
                let wd = KT.dequantize(wq, type: type, count: n * k)
                let x = rng.floats(m * k, scale: 3)
                var ref = [Float](repeating: 0, count: m * n)
                var norm: Float = 0
                for i in 0..<m {
                    for j in 0..<n {
                        var s: Double = 0
                        for e in 0..<k { s += Double(wd[j * k + e]) * Double(x[i * k + e]) }
                        ref[i * n + j] = Float(s)
                    }
                }
                for e in 0..<k { norm = max(norm, abs(x[e])) }
                var results: [[Float]] = []
                for isa in KT.levels {
                    let y = run(type: type, isa: isa, w: wq, x: x, m: m, n: n, k: k, pool: pool)
                    // Activations are quantized to 8 bits: error ≲ Σ|w|·|x|/127 per output.
                    for i in 0..<m * n {
                        let tol = Float(k) * 3 / 127 * 0.75
                        XCTAssertEqual(y[i], ref[i], accuracy: tol, "\(type) isa \(isa) m\(m) n\(n) k\(k) at \(i)")
                    }
                    results.append(y)
                }
                // Every ISA level agrees with the scalar path closely (same integer math, other summation order).
                for r in results.dropFirst() {
                    for i in 0..<m * n { XCTAssertEqual(r[i], results[0][i], accuracy: 1e-3 * max(1, abs(results[0][i])), "\(type) m\(m) at \(i)") }
                }
            }
        }
    }

    func testFloatPathTypes() {
        var rng = KT.RNG(state: 7)
        let pool = TestPool(threads: 2)
        let (m, n, k) = (3, 9, 40)
        let wf = rng.floats(n * k)
        let x = rng.floats(m * k)
        for type in [KERN_DTYPE_F32, KERN_DTYPE_F16] {
            let w: [UInt8] = type == KERN_DTYPE_F32 ? wf.withUnsafeBytes { Array($0) } : wf.flatMap { KT.half($0) }
            let wd = KT.dequantize(w, type: type, count: n * k)
            for isa in KT.levels {
                let y = run(type: type, isa: isa, w: w, x: x, m: m, n: n, k: k, pool: pool)
                for i in 0..<m {
                    for j in 0..<n {
                        var s: Float = 0
                        for e in 0..<k { s += wd[j * k + e] * x[i * k + e] }
                        XCTAssertEqual(y[i * n + j], s, accuracy: 1e-4, "\(type) isa \(isa)")
                    }
                }
            }
        }
    }

    /// The same row gives the same result whatever m is, so batching never changes a sequence.
    func testRowResultIndependentOfBatchSize() {
        var rng = KT.RNG(state: 9)
        let pool = TestPool(threads: 2)
        let (n, k) = (21, 128)
        for type in [KERN_DTYPE_Q4_1, KERN_DTYPE_Q8_0] {
            let w = KT.quantize(rng.floats(n * k), type: type)
            let x = rng.floats(17 * k)
            for isa in KT.levels {
                let all = run(type: type, isa: isa, w: w, x: x, m: 17, n: n, k: k, pool: pool)
                let one = run(type: type, isa: isa, w: w, x: Array(x[(5 * k)..<(6 * k)]), m: 1, n: n, k: k, pool: pool)
                XCTAssertEqual(Array(all[(5 * n)..<(6 * n)]), one)
            }
        }
    }

    /// The tiled kernels give exactly what one dot at a time gives (same per-block arithmetic),
    /// at shapes that leave partial tiles in both directions.
    func testTiledMatmulIsBitIdenticalToSingleDots() {
        var rng = KT.RNG(state: 11)
        let pool = TestPool(threads: 2)
        for type in [KERN_DTYPE_Q4_0, KERN_DTYPE_Q4_1, KERN_DTYPE_Q8_0] {
            for (m, n, k) in [(1, 7, 64), (3, 9, 96), (5, 13, 576), (2, 4, 32)] {
                let w = KT.quantize(rng.floats(n * k), type: type)
                let x = rng.floats(m * k, scale: 2)
                let rowBytes = w.count / n
                for isa in KT.levels {
                    let y = run(type: type, isa: isa, w: w, x: x, m: m, n: n, k: k, pool: pool)
                    var q = [kern_q8_block](repeating: kern_q8_block(), count: m * k / 32)
                    kern_q8_quantize(isa, x, &q, Int64(m), Int64(k))
                    for i in 0..<m {
                        for j in 0..<n {
                            let single = w.withUnsafeBytes { wp in
                                q.withUnsafeBufferPointer { qp in
                                    kern_q8_dot(isa, Int32(type.rawValue), wp.baseAddress! + j * rowBytes, qp.baseAddress! + i * (k / 32), Int64(k))
                                }
                            }
                            XCTAssertEqual(y[i * n + j].bitPattern, single.bitPattern, "\(type) isa \(isa) m\(m) n\(n) at (\(i), \(j))")
                        }
                    }
                }
            }
        }
    }
}
