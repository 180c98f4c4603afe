import CKernels
import Foundation

/// Helpers of the kernel tests: a seeded generator, a pool, and ggml-style quantizers
/// written independently of the kernels (from the formats' definitions).
enum KT {
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [0, 1), 24 bits.
        mutating func nextUnit() -> Float { Float(next() >> 40) * 0x1p-24 }
        /// Uniform in [-1, 1).
        mutating func float() -> Float { Float(Double(next() >> 11) * 0x1p-52 - 1) }
        mutating func floats(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in float() * scale } }
    }

    /// The instruction-set levels this CPU can run, scalar first.
    static var levels: [Int32] { Array(0...kern_cpu_detect()) }

    static func half(_ f: Float) -> [UInt8] { withUnsafeBytes(of: kern_fp16_from_fp32(f).littleEndian) { Array($0) } }

    /// Quantizes rows of floats to one of Q4_0, Q4_1, Q8_0 (k a multiple of 32).
    static func quantize(_ x: [Float], type: kern_dtype) -> [UInt8] {
        var out: [UInt8] = []
        for b in stride(from: 0, to: x.count, by: 32) {
            let blk = Array(x[b..<b + 32])
            switch type {
            case KERN_DTYPE_Q8_0:
                let amax = blk.map(abs).max()!
                let d = amax / 127
                out += half(d)
                out += blk.map { UInt8(bitPattern: Int8(d == 0 ? 0 : ($0 / d).rounded())) }
            case KERN_DTYPE_Q4_1:
                let mn = blk.min()!, mx = blk.max()!
                let d = (mx - mn) / 15
                out += half(d) + half(mn)
                let q = blk.map { d == 0 ? UInt8(0) : UInt8(min(15, max(0, (($0 - mn) / d).rounded()))) }
                for i in 0..<16 { out.append(q[i] | (q[i + 16] << 4)) }
            case KERN_DTYPE_Q4_0:
                var amax: Float = 0, mx: Float = 0
                for v in blk where abs(v) > amax { amax = abs(v); mx = v }
                let d = mx / -8
                out += half(d)
                let q = blk.map { d == 0 ? UInt8(8) : UInt8(min(15, max(0, ($0 / d + 8.5).rounded(.down)))) }
                for i in 0..<16 { out.append(q[i] | (q[i + 16] << 4)) }
            default:
                fatalError("unsupported in the test quantizer")
            }
        }
        return out
    }

    static func dequantize(_ bytes: [UInt8], type: kern_dtype, count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        let rc = bytes.withUnsafeBytes { src in out.withUnsafeMutableBufferPointer { kern_row_dequant(Int32(type.rawValue), src.baseAddress, $0.baseAddress, Int64(count)) } }
        precondition(rc == 0)
        return out
    }
}

/// A running kern_pool for tests.
final class TestPool {
    let pointer: OpaquePointer
    private let memory: UnsafeMutableRawPointer
    init(threads: Int) {
        memory = UnsafeMutableRawPointer.allocate(byteCount: kern_pool_bytes(Int32(threads)), alignment: 64)
        pointer = OpaquePointer(memory)
        precondition(kern_pool_start(pointer, Int32(threads), nil) == 0)
    }
    deinit {
        kern_pool_stop(pointer)
        memory.deallocate()
    }
}
