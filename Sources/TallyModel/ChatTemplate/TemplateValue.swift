/// A runtime value of the template language.
indirect enum TemplateValue: Sendable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case none
    /// A missing variable, attribute or item: prints as empty, is falsy,
    /// iterates as empty, and yields undefined again on attribute access.
    case undefined(String)
    case list([TemplateValue])
    case dict(TemplateDict)
    case macro(TemplateMacro)
    case function(TemplateBuiltin)
    /// A `namespace(...)` object; the id indexes the renderer's mutable table.
    case namespace(Int)

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    var isTruthy: Bool {
        switch self {
        case .string(let s): return !s.isEmpty
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .bool(let b): return b
        case .none, .undefined: return false
        case .list(let items): return !items.isEmpty
        case .dict(let dict): return !dict.isEmpty
        case .macro, .function, .namespace: return true
        }
    }

    /// The Python type name, for error messages.
    var typeName: String {
        switch self {
        case .string: return "str"
        case .int: return "int"
        case .double: return "float"
        case .bool: return "bool"
        case .none: return "NoneType"
        case .undefined: return "Undefined"
        case .list: return "list"
        case .dict: return "dict"
        case .macro: return "macro"
        case .function: return "builtin_function"
        case .namespace: return "Namespace"
        }
    }

    /// A numeric view (bools count as 0/1, as in Python).
    var asDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    var asInt: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
}

/// Global callables available to every template.
enum TemplateBuiltin: String, Sendable {
    case range
    case namespace
    case raiseException = "raise_exception"
    case strftimeNow = "strftime_now"
    case dict
}

/// A string-keyed dictionary that keeps insertion order (as Python dicts do).
struct TemplateDict: Sendable {
    private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]

    init() {}

    init(_ pairs: [(String, TemplateValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    var values: [TemplateValue] { keys.map { storage[$0] ?? .none } }

    var entries: [(key: String, value: TemplateValue)] { keys.map { ($0, storage[$0] ?? .none) } }

    subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }
}

extension TemplateValue {
    /// Python-style equality (`1 == 1.0`, `True == 1`); undefined equals only undefined.
    func isEqual(to other: TemplateValue) -> Bool {
        switch (self, other) {
        case (.string(let a), .string(let b)): return a == b
        case (.none, .none): return true
        case (.undefined, .undefined): return true
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqual(to: $1) }
        case (.dict(let a), .dict(let b)):
            guard a.count == b.count else { return false }
            return a.entries.allSatisfy { entry in b[entry.key].map { entry.value.isEqual(to: $0) } ?? false }
        case (.namespace(let a), .namespace(let b)): return a == b
        case (.function(let a), .function(let b)): return a == b
        case (.macro(let a), .macro(let b)): return a.name == b.name && a.location == b.location
        default:
            if let a = asDouble, let b = other.asDouble {
                if let x = asInt, let y = other.asInt { return x == y }
                return a == b
            }
            return false
        }
    }
}
