/// Key/value memory for every layer, in fixed-size blocks.
///
/// Layout per layer: `[blocks, blockSize, kvHeads, headDim]` IEEE half floats for K
/// and the same for V. The cache owns memory only: which blocks belong to which sequence is
/// decided by whoever fills `ForwardBatch.blockTables` (a `SequenceBlocks` for one
/// sequence at a time, the scheduler's block pool in the engine).
public final class KVCache: @unchecked Sendable {  // mutated only by the forward pass, one at a time
    public let layers: Int
    public let blocks: Int
    public let blockSize: Int
    public let kvDim: Int
    let keys: [UnsafeMutablePointer<UInt16>]    // per layer: [blocks * blockSize, kvDim]
    let values: [UnsafeMutablePointer<UInt16>]  // per layer: [blocks * blockSize, kvDim]

    public init(layers: Int, kvDim: Int, blocks: Int, blockSize: Int = 16) {
        precondition(layers > 0 && kvDim > 0 && blocks > 0 && blockSize > 0)
        self.layers = layers
        self.blocks = blocks
        self.blockSize = blockSize
        self.kvDim = kvDim
        let perLayer = blocks * blockSize * kvDim
        keys = (0..<layers).map { _ in
            let p = UnsafeMutablePointer<UInt16>.allocate(capacity: perLayer)
            p.initialize(repeating: 0, count: perLayer)
            return p
        }
        values = (0..<layers).map { _ in
            let p = UnsafeMutablePointer<UInt16>.allocate(capacity: perLayer)
            p.initialize(repeating: 0, count: perLayer)
            return p
        }
    }

    /// A cache of `megabytes` for `config`'s shape, as many whole blocks as fit.
    public convenience init(config: ModelConfig, megabytes: Int, blockSize: Int = 16) {
        let bytesPerBlock = config.layers * 2 * blockSize * config.kvDim * MemoryLayout<UInt16>.size
        self.init(layers: config.layers, kvDim: config.kvDim, blocks: max(1, megabytes * 1_048_576 / bytesPerBlock), blockSize: blockSize)
    }

    deinit {
        for p in keys { p.deallocate() }
        for p in values { p.deallocate() }
    }
}
