import CKernels
import Foundation

/// Writes GGUF v3 files: the synthetic models of the tests, and `tally quantize`.
public struct GGUFWriter {
    public struct Tensor {
        public var name: String
        public var dims: [Int]
        public var type: Int32
        public var data: [UInt8]

        public init(name: String, dims: [Int], type: Int32, data: [UInt8]) {
            self.name = name
            self.dims = dims
            self.type = type
            self.data = data
        }

        /// An F32 tensor from floats (ggml order: dims[0] is the row length).
        public static func f32(_ name: String, dims: [Int], _ values: [Float]) -> Tensor {
            var bytes = [UInt8](repeating: 0, count: values.count * 4)
            bytes.withUnsafeMutableBytes { dst in values.withUnsafeBytes { dst.copyMemory(from: $0) } }
            return Tensor(name: name, dims: dims, type: Int32(KERN_DTYPE_F32.rawValue), data: bytes)
        }
    }

    public var metadata: [(String, GGUFValue)] = []
    public var tensors: [Tensor] = []
    public var alignment = 32

    public init() {}

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func putString(_ s: String) { put(UInt64(s.utf8.count)); out.append(contentsOf: Array(s.utf8)) }
        func putValue(_ v: GGUFValue) {
            switch v {
            case .uint8(let x): put(x)
            case .int8(let x): put(x)
            case .uint16(let x): put(x)
            case .int16(let x): put(x)
            case .uint32(let x): put(x)
            case .int32(let x): put(x)
            case .uint64(let x): put(x)
            case .int64(let x): put(x)
            case .float32(let x): put(x.bitPattern)
            case .float64(let x): put(x.bitPattern)
            case .bool(let x): put(UInt8(x ? 1 : 0))
            case .string(let s): putString(s)
            case .array(let a):
                put((a.first?.typeID ?? .uint8).rawValue)
                put(UInt64(a.count))
                for e in a { putValue(e) }
            }
        }
        put(GGUFFile.magic)
        put(UInt32(3))
        put(UInt64(tensors.count))
        put(UInt64(metadata.count))
        for (k, v) in metadata {
            putString(k)
            put(v.typeID.rawValue)
            putValue(v)
        }
        var offsets: [Int] = []
        var cursor = 0
        for t in tensors {
            offsets.append(cursor)
            cursor += (t.data.count + alignment - 1) / alignment * alignment
        }
        for (t, off) in zip(tensors, offsets) {
            putString(t.name)
            put(UInt32(t.dims.count))
            for d in t.dims { put(UInt64(d)) }
            put(UInt32(bitPattern: t.type))
            put(UInt64(off))
        }
        while out.count % alignment != 0 { out.append(0) }
        for t in tensors {
            out.append(contentsOf: t.data)
            while out.count % alignment != 0 { out.append(0) }
        }
        return out
    }

    public func write(to path: String) throws {
        try Data(encoded()).write(to: URL(fileURLWithPath: path))
    }
}
