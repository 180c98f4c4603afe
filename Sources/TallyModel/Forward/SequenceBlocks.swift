/// Blocks of a `KVCache` handed out to sequences from a free list: the plain
/// per-sequence KV store of one-sequence-at-a-time callers (CLI generate,
/// perplexity). The engine uses the scheduler's block pool instead.
public struct SequenceBlocks: Sendable {
    public let blockSize: Int
    private var free: [Int32]
    private var tables: [Int: [Int32]] = [:]

    public enum Error: Swift.Error, CustomStringConvertible {
        case outOfBlocks(needed: Int, free: Int)
        public var description: String {
            switch self {
            case .outOfBlocks(let n, let f): "KV cache full: \(n) more blocks needed, \(f) free (raise --kv-cache-mb or shorten the context)"
            }
        }
    }

    public init(cache: KVCache) {
        blockSize = cache.blockSize
        free = (0..<Int32(cache.blocks)).reversed()
    }

    public var freeBlocks: Int { free.count }

    /// Grows sequence `seq`'s table to cover `length` tokens and returns it.
    public mutating func reserve(_ seq: Int, length: Int) throws -> [Int32] {
        var table = tables[seq] ?? []
        let need = (length + blockSize - 1) / blockSize - table.count
        if need > 0 {
            guard need <= free.count else { throw Error.outOfBlocks(needed: need, free: free.count) }
            for _ in 0..<need { table.append(free.removeLast()) }
            tables[seq] = table
        }
        return table
    }

    public mutating func release(_ seq: Int) {
        if let t = tables.removeValue(forKey: seq) { free.append(contentsOf: t.reversed()) }
    }
}
