import CKernels

/// Where one tensor lives in a GGUF file and what shape and type it has.
public struct GGUFTensorInfo: Sendable, Equatable {
    public var name: String
    /// ggml order: dims[0] is the contiguous (row) length, dims[1] the row count.
    public var dims: [Int]
    /// kern_dtype / ggml_type id.
    public var type: Int32
    /// Offset from the start of the tensor-data section.
    public var offset: Int

    public init(name: String, dims: [Int], type: Int32, offset: Int) {
        self.name = name
        self.dims = dims
        self.type = type
        self.offset = offset
    }

    public var elementCount: Int { dims.reduce(1, *) }
    /// Elements per row (ggml ne[0]).
    public var rowLength: Int { dims.first ?? 1 }
    /// Rows: the product of every dimension after the first.
    public var rowCount: Int { dims.dropFirst().reduce(1, *) }

    /// Bytes the tensor's data takes, or nil when its row length is not a whole number of blocks.
    public var byteCount: Int? {
        let blockElems = Int(kern_dtype_block_elems(type))
        let blockBytes = Int(kern_dtype_block_bytes(type))
        guard blockElems > 0, rowLength % blockElems == 0 else { return nil }
        return rowCount * (rowLength / blockElems) * blockBytes
    }

    public var typeName: String { String(cString: kern_dtype_name(type)) }
}
