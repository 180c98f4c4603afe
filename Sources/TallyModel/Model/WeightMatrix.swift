import CKernels

/// A weight matrix as the kernels see it: `rows` rows of `cols` elements in one
/// tensor type, row-major. It points into the mapped GGUF file (or into memory
/// owned by the model), never copied on load.
public struct WeightMatrix: @unchecked Sendable {  // read-only pointer into memory the model keeps alive
    public let name: String
    public let type: Int32
    public let rows: Int
    public let cols: Int
    public let data: UnsafeRawPointer

    public init(name: String, type: Int32, rows: Int, cols: Int, data: UnsafeRawPointer) {
        self.name = name
        self.type = type
        self.rows = rows
        self.cols = cols
        self.data = data
    }

    public var rowBytes: Int { cols / Int(kern_dtype_block_elems(type)) * Int(kern_dtype_block_bytes(type)) }
    public var typeName: String { String(cString: kern_dtype_name(type)) }

    /// Decodes one row to floats.
    ///   out: [cols]
    public func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>) {
        _ = kern_row_dequant(type, data + row * rowBytes, out, Int64(cols))
    }
}
