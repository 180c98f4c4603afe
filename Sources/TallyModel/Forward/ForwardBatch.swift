/// A ragged batch for one forward pass: tokens of many sequences, each at its own
/// position, with the KV blocks of every sequence, and the rows that want logits.
public struct ForwardBatch: Sendable {
    /// Token ids.                                      [T]
    public var tokens: [Int32] = []
    /// Position of each token in its sequence.         [T]
    public var positions: [Int32] = []
    /// Which entry of `blockTables` each token uses.   [T]
    public var sequenceIndex: [Int32] = []
    /// Block ids of each sequence, in order; they must cover every position in the batch.  [S][blocks]
    public var blockTables: [[Int32]] = []
    /// Token rows (indices into `tokens`) whose logits are returned, in this order.  [R]
    public var logitRows: [Int] = []

    public init() {}

    public var count: Int { tokens.count }

    /// Adds a sequence's tokens at consecutive positions from `start`; `wantLogits`
    /// asks for the last token's logits (or `allLogits` for every token's).
    public mutating func append(tokens ids: [Int32], startPosition start: Int, blockTable: [Int32],
                                wantLogits: Bool = true, allLogits: Bool = false) {
        let seq = Int32(blockTables.count)
        blockTables.append(blockTable)
        for (i, id) in ids.enumerated() {
            if allLogits || (wantLogits && i == ids.count - 1) { logitRows.append(tokens.count) }
            tokens.append(id)
            positions.append(Int32(start + i))
            sequenceIndex.append(seq)
        }
    }
}
