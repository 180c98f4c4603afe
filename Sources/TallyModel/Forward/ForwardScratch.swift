import CKernels

/// Activation buffers of one forward pass, grown on demand and reused.
final class ForwardScratch {
    private(set) var tokens = 0
    private var threads = 0
    private var storage: UnsafeMutableRawPointer?
    private var attStorage: UnsafeMutableRawPointer?

    private(set) var x: UnsafeMutablePointer<Float>! = nil         // [T, dim]
    private(set) var xb: UnsafeMutablePointer<Float>! = nil        // [T, max(dim, qDim)]
    private(set) var q: UnsafeMutablePointer<Float>! = nil         // [T, qDim]
    private(set) var k: UnsafeMutablePointer<Float>! = nil         // [T, kvDim]
    private(set) var v: UnsafeMutablePointer<Float>! = nil         // [T, kvDim]
    private(set) var att: UnsafeMutablePointer<Float>! = nil       // [T, qDim]
    private(set) var gate: UnsafeMutablePointer<Float>! = nil      // [T, ffnDim]
    private(set) var up: UnsafeMutablePointer<Float>! = nil        // [T, ffnDim]
    private(set) var attScores: UnsafeMutablePointer<Float>! = nil // [threads, kern_attention_scratch_floats(headDim)]
    private(set) var matmul: UnsafeMutableRawPointer! = nil        // kern_matmul_scratch_bytes(T, max K, threads)

    deinit {
        storage?.deallocate()
        attStorage?.deallocate()
    }

    func ensure(tokens T: Int, config c: ModelConfig, threads n: Int) {
        if T > tokens || n != threads {
            storage?.deallocate()
            let wide = max(c.dim, c.qDim)
            let floats = [T * c.dim, T * wide, T * c.qDim, T * c.kvDim, T * c.kvDim, T * c.qDim, T * c.ffnDim, T * c.ffnDim]
            let padded = floats.map { ($0 * 4 + 63) / 64 * 64 }
            let mm = kern_matmul_scratch_bytes(Int64(T), Int64(max(c.dim, c.qDim, c.ffnDim)), Int32(n))
            let raw = UnsafeMutableRawPointer.allocate(byteCount: padded.reduce(0, +) + mm, alignment: 64)
            var off = 0
            var bufs: [UnsafeMutablePointer<Float>] = []
            for p in padded {
                bufs.append((raw + off).bindMemory(to: Float.self, capacity: p / 4))
                off += p
            }
            (x, xb, q, k, v, att, gate, up) = (bufs[0], bufs[1], bufs[2], bufs[3], bufs[4], bufs[5], bufs[6], bufs[7])
            matmul = raw + off
            storage = raw
            tokens = T
        }
        if attStorage == nil || n != threads {
            attStorage?.deallocate()
            let floats = n * Int(kern_attention_scratch_floats(Int32(c.headDim)))
            let raw = UnsafeMutableRawPointer.allocate(byteCount: floats * 4, alignment: 64)
            attScores = raw.bindMemory(to: Float.self, capacity: floats)
            attStorage = raw
        }
        threads = n
    }
}
