import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A GGUF model file (versions 2 and 3), memory-mapped read-only.
///
/// Header, metadata and tensor infos are parsed and validated once at open; tensor
/// data is never copied: `data(of:)` points into the mapping, which lives as long
/// as this object.
public final class GGUFFile: @unchecked Sendable {  // immutable after init
    public let path: String
    public let version: UInt32
    public let metadata: GGUFMetadata
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Offset of the tensor-data section from the start of the file.
    public let dataOffset: Int
    public let fileSize: Int

    private let base: UnsafeRawPointer
    private let tensorIndex: [String: Int]

    static let magic: UInt32 = 0x4655_4747  // "GGUF" little-endian

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw GGUFError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw GGUFError.cannotOpen(path: path, reason: "not a regular file") }
        let size = Int(st.st_size)
        guard size > 0 else { throw GGUFError.truncated(path: path, what: "header", offset: 0) }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw GGUFError.cannotOpen(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        let base = UnsafeRawPointer(mapped)
        do {
            var r = GGUFByteReader(base: base, size: size, path: path)
            let parsed = try GGUFFile.parse(&r)
            self.version = parsed.version
            self.metadata = parsed.metadata
            self.tensors = parsed.tensors
            self.alignment = parsed.alignment
            self.dataOffset = parsed.dataOffset
        } catch {
            munmap(mapped, size)
            throw error
        }
        self.base = base
        self.fileSize = size
        var index: [String: Int] = [:]
        for (i, t) in tensors.enumerated() { index[t.name] = i }
        self.tensorIndex = index
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), fileSize)
    }

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// Pointer to a tensor's data inside the mapping (valid while this file lives).
    public func data(of tensor: GGUFTensorInfo) -> UnsafeRawPointer {
        base + dataOffset + tensor.offset
    }

    /// Interleaves the mapped file's pages across NUMA nodes so every node's cores read
    /// weights at the same average distance. Returns false on a single-node host (a no-op).
    @discardableResult
    public func interleaveAcrossNUMANodes() -> Bool {
        kern_numa_interleave(UnsafeMutableRawPointer(mutating: base), fileSize) == 1
    }

    /// The model architecture (`general.architecture`).
    public var architecture: String? { metadata.string("general.architecture") }

    // MARK: - Parsing

    private struct Parsed {
        var version: UInt32
        var metadata: GGUFMetadata
        var tensors: [GGUFTensorInfo]
        var alignment: Int
        var dataOffset: Int
    }

    private static func parse(_ r: inout GGUFByteReader) throws -> Parsed {
        let path = r.path
        let magic: UInt32 = try r.read("magic")
        guard magic == GGUFFile.magic else { throw GGUFError.badMagic(path: path, found: magic) }
        let version: UInt32 = try r.read("version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(path: path, version: version) }
        let tensorCount = try r.readCount("tensor count", limit: 1 << 20)
        let kvCount = try r.readCount("metadata count", limit: 1 << 20)

        var metadata = GGUFMetadata()
        for _ in 0..<kvCount {
            let key = try r.readString("metadata key")
            let rawType: UInt32 = try r.read("type of '\(key)'")
            guard let type = GGUFValue.TypeID(rawValue: rawType) else {
                throw GGUFError.malformed(path: path, reason: "metadata '\(key)' has unknown value type \(rawType)")
            }
            metadata[key] = try r.readValue(type, key: key)
        }

        var alignment = 32
        if let a = metadata["general.alignment"] {
            guard let v = a.intValue, v > 0, v & (v - 1) == 0 else {
                throw GGUFError.malformed(path: path, reason: "general.alignment must be a power of two")
            }
            alignment = v
        }

        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(tensorCount)
        var seen = Set<String>()
        for _ in 0..<tensorCount {
            let name = try r.readString("tensor name")
            let nDims: UInt32 = try r.read("dimension count of '\(name)'")
            guard (1...4).contains(nDims) else {
                throw GGUFError.malformed(path: path, reason: "tensor '\(name)' has \(nDims) dimensions (1 to 4 allowed)")
            }
            var dims: [Int] = []
            for _ in 0..<nDims {
                let d: UInt64 = try r.read("shape of '\(name)'")
                guard d > 0, d < (1 << 40) else {
                    throw GGUFError.tensorSizeMismatch(path: path, tensor: name, reason: "dimension \(d) is out of range")
                }
                dims.append(Int(d))
            }
            let type: UInt32 = try r.read("type of '\(name)'")
            let offset: UInt64 = try r.read("offset of '\(name)'")
            let info = GGUFTensorInfo(name: name, dims: dims, type: Int32(bitPattern: type), offset: Int(clamping: offset))
            guard kern_dtype_is_supported(info.type) != 0 else {
                throw GGUFError.unsupportedTensorType(path: path, tensor: name, type: info.type)
            }
            guard seen.insert(name).inserted else {
                throw GGUFError.malformed(path: path, reason: "tensor '\(name)' appears twice")
            }
            tensors.append(info)
        }

        let dataOffset = (r.offset + alignment - 1) / alignment * alignment
        let dataSize = r.size - dataOffset
        for t in tensors {
            guard let bytes = t.byteCount else {
                let be = kern_dtype_block_elems(t.type)
                throw GGUFError.tensorSizeMismatch(
                    path: path, tensor: t.name,
                    reason: "row length \(t.rowLength) is not a multiple of the \(t.typeName) block (\(be) elements)")
            }
            guard t.offset % alignment == 0 else {
                throw GGUFError.malformed(path: path, reason: "tensor '\(t.name)' offset \(t.offset) is not aligned to \(alignment)")
            }
            guard dataSize >= 0, t.offset <= dataSize, bytes <= dataSize - t.offset else {
                throw GGUFError.truncated(path: path, what: "data of tensor '\(t.name)' (\(bytes) bytes)", offset: dataOffset + t.offset)
            }
        }
        return Parsed(version: version, metadata: metadata, tensors: tensors, alignment: alignment, dataOffset: dataOffset)
    }
}

/// Bounds-checked little-endian reads over the mapping.
struct GGUFByteReader {
    let base: UnsafeRawPointer
    let size: Int
    let path: String
    var offset = 0

    init(base: UnsafeRawPointer, size: Int, path: String) {
        self.base = base
        self.size = size
        self.path = path
    }

    mutating func read<T: FixedWidthInteger>(_ what: @autoclosure () -> String) throws -> T {
        let n = MemoryLayout<T>.size
        guard size - offset >= n else { throw GGUFError.truncated(path: path, what: what(), offset: offset) }
        let v = T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += n
        return v
    }

    mutating func readCount(_ what: String, limit: UInt64) throws -> Int {
        let v: UInt64 = try read(what)
        guard v <= limit else { throw GGUFError.malformed(path: path, reason: "\(what) \(v) is implausibly large") }
        return Int(v)
    }

    mutating func readString(_ what: @autoclosure () -> String) throws -> String {
        let len: UInt64 = try read(what())
        guard len <= UInt64(size - offset) else { throw GGUFError.truncated(path: path, what: what(), offset: offset) }
        let n = Int(len)
        let s = String(decoding: UnsafeRawBufferPointer(start: base + offset, count: n), as: UTF8.self)
        offset += n
        return s
    }

    mutating func readValue(_ type: GGUFValue.TypeID, key: String) throws -> GGUFValue {
        let what = "value of '\(key)'"
        switch type {
        case .uint8: return .uint8(try read(what))
        case .int8: return .int8(try read(what))
        case .uint16: return .uint16(try read(what))
        case .int16: return .int16(try read(what))
        case .uint32: return .uint32(try read(what))
        case .int32: return .int32(try read(what))
        case .uint64: return .uint64(try read(what))
        case .int64: return .int64(try read(what))
        case .float32: return .float32(Float(bitPattern: try read(what)))
        case .float64: return .float64(Double(bitPattern: try read(what)))
        case .bool:
            let b: UInt8 = try read(what)
            guard b <= 1 else { throw GGUFError.malformed(path: path, reason: "'\(key)' bool has value \(b)") }
            return .bool(b == 1)
        case .string: return .string(try readString(what))
        case .array:
            let rawType: UInt32 = try read(what)
            guard let elemType = GGUFValue.TypeID(rawValue: rawType) else {
                throw GGUFError.malformed(path: path, reason: "array '\(key)' has unknown element type \(rawType)")
            }
            let count: UInt64 = try read(what)
            // Every element takes at least one byte: a count beyond the bytes left is a lie.
            guard count <= UInt64(size - offset) else { throw GGUFError.truncated(path: path, what: what, offset: offset) }
            var out: [GGUFValue] = []
            out.reserveCapacity(Int(count))
            for _ in 0..<count { out.append(try readValue(elemType, key: key)) }
            return .array(out)
        }
    }
}
