/// Why a GGUF file could not be read. Every case names the file.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case badMagic(path: String, found: UInt32)
    case unsupportedVersion(path: String, version: UInt32)
    case truncated(path: String, what: String, offset: Int)
    case malformed(path: String, reason: String)
    case unsupportedTensorType(path: String, tensor: String, type: Int32)
    case tensorSizeMismatch(path: String, tensor: String, reason: String)
    case missingTensor(path: String, tensor: String)
    case missingKey(path: String, key: String)
    case unsupportedArchitecture(path: String, architecture: String)

    public var description: String {
        switch self {
        case .cannotOpen(let p, let r): "\(p): cannot open: \(r)"
        case .badMagic(let p, let m): "\(p): not a GGUF file (magic 0x\(String(m, radix: 16)), expected 0x46554747 \"GGUF\")"
        case .unsupportedVersion(let p, let v): "\(p): unsupported GGUF version \(v) (Tally reads versions 2 and 3)"
        case .truncated(let p, let w, let o): "\(p): truncated file: \(w) runs past the end (at byte \(o))"
        case .malformed(let p, let r): "\(p): malformed GGUF: \(r)"
        case .unsupportedTensorType(let p, let t, let ty): "\(p): tensor '\(t)' has unsupported type id \(ty)"
        case .tensorSizeMismatch(let p, let t, let r): "\(p): tensor '\(t)': \(r)"
        case .missingTensor(let p, let t): "\(p): missing tensor '\(t)'"
        case .missingKey(let p, let k): "\(p): missing metadata key '\(k)'"
        case .unsupportedArchitecture(let p, let a): "\(p): unsupported architecture '\(a)' (Tally runs the llama family: llama, mistral, qwen2)"
        }
    }
}
