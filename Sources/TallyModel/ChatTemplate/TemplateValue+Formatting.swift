/// String conversions with Python/Jinja semantics: `str()` for output and
/// `~`, `repr()` inside containers, and `json.dumps` for `tojson`.
extension TemplateValue {
    /// What `{{ value }}` prints (Python `str`, with undefined as empty).
    var outputString: String {
        switch self {
        case .string(let s): return s
        case .undefined: return ""
        default: return pythonRepr
        }
    }

    var pythonRepr: String {
        switch self {
        case .string(let s): return Self.pythonStringRepr(s)
        case .int(let i): return String(i)
        case .double(let d): return Self.pythonFloat(d)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .undefined: return ""
        case .list(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .dict(let dict):
            return "{" + dict.entries.map { Self.pythonStringRepr($0.key) + ": " + $0.value.pythonRepr }.joined(separator: ", ") + "}"
        case .macro(let macro): return "<Macro '\(macro.name)'>"
        case .function(let builtin): return "<built-in function \(builtin.rawValue)>"
        case .namespace: return "<Namespace>"
        }
    }

    static func pythonFloat(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) < 1e16 {
            return String(Int64(value)) + ".0"
        }
        return "\(value)"
    }

    static func pythonStringRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if Character(scalar) == quote {
                    result += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\x" + hex(scalar.value, width: 2)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        result.append(quote)
        return result
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // MARK: - JSON

    /// `json.dumps(value, indent=indent, sort_keys=sortKeys, ensure_ascii=ensureASCII)`,
    /// as Hugging Face's `tojson` filter calls it (no HTML escaping).
    func json(indent: String?, sortKeys: Bool = false, ensureASCII: Bool = false) throws -> String {
        var out = ""
        try writeJSON(into: &out, indent: indent, level: 0, sortKeys: sortKeys, ensureASCII: ensureASCII)
        return out
    }

    private func writeJSON(into out: inout String, indent: String?, level: Int, sortKeys: Bool, ensureASCII: Bool) throws {
        switch self {
        case .string(let s): out += Self.jsonString(s, ensureASCII: ensureASCII)
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else { out += Self.pythonFloat(d) }
        case .bool(let b): out += b ? "true" : "false"
        case .none, .undefined: out += "null"
        case .list(let items):
            try writeContainer(into: &out, open: "[", close: "]", count: items.count, indent: indent, level: level) { index, out in
                try items[index].writeJSON(into: &out, indent: indent, level: level + 1, sortKeys: sortKeys, ensureASCII: ensureASCII)
            }
        case .dict(let dict):
            let entries = sortKeys ? dict.entries.sorted { $0.key < $1.key } : dict.entries
            try writeContainer(into: &out, open: "{", close: "}", count: entries.count, indent: indent, level: level) { index, out in
                out += Self.jsonString(entries[index].key, ensureASCII: ensureASCII) + ": "
                try entries[index].value.writeJSON(into: &out, indent: indent, level: level + 1, sortKeys: sortKeys, ensureASCII: ensureASCII)
            }
        case .macro, .function, .namespace:
            throw TemplateRuntimeError("object of type '\(typeName)' is not JSON serializable")
        }
    }

    private func writeContainer(
        into out: inout String, open: String, close: String, count: Int, indent: String?, level: Int,
        element: (Int, inout String) throws -> Void
    ) throws {
        guard count > 0 else {
            out += open + close
            return
        }
        out += open
        for index in 0..<count {
            if let indent {
                out += (index == 0 ? "" : ",") + "\n" + String(repeating: indent, count: level + 1)
            } else if index > 0 {
                out += ", "
            }
            try element(index, &out)
        }
        if let indent {
            out += "\n" + String(repeating: indent, count: level)
        }
        out += close
    }

    static func jsonString(_ s: String, ensureASCII: Bool) -> String {
        var result = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                if scalar.value < 0x20 {
                    result += "\\u" + hex(scalar.value, width: 4)
                } else if ensureASCII && scalar.value > 0x7F {
                    if scalar.value > 0xFFFF {
                        let v = scalar.value - 0x10000
                        result += "\\u" + hex(0xD800 + (v >> 10), width: 4) + "\\u" + hex(0xDC00 + (v & 0x3FF), width: 4)
                    } else {
                        result += "\\u" + hex(scalar.value, width: 4)
                    }
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
