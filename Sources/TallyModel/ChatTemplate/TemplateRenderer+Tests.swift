/// The tests (`value is name(args)`) of Jinja's default set.
extension TemplateRenderer {
    static let testNames: Set<String> = [
        "boolean", "callable", "defined", "divisibleby", "eq", "equalto", "escaped", "even", "false", "float",
        "ge", "gt", "in", "integer", "iterable", "le", "lower", "lt", "mapping", "ne", "none", "number", "odd",
        "sameas", "sequence", "string", "true", "undefined", "upper", "==", "!=", "<", "<=", ">", ">=",
    ]

    func applyTest(_ name: String, to value: TemplateValue, arguments: [TemplateValue]) throws -> Bool {
        func argument() throws -> TemplateValue {
            guard let first = arguments.first else {
                throw TemplateRuntimeError("test '\(name)' needs an argument")
            }
            return first
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none":
            if case .none = value { return true }
            return false
        case "string":
            if case .string = value { return true }
            return false
        case "number":
            switch value {
            case .int, .double, .bool: return true
            default: return false
            }
        case "integer":
            if case .int = value { return true }
            return false
        case "float":
            if case .double = value { return true }
            return false
        case "boolean":
            if case .bool = value { return true }
            return false
        case "true":
            if case .bool(true) = value { return true }
            return false
        case "false":
            if case .bool(false) = value { return true }
            return false
        case "mapping":
            switch value {
            case .dict, .namespace: return true
            default: return false
            }
        case "iterable", "sequence":
            switch value {
            case .string, .list, .dict: return true
            default: return false
            }
        case "callable":
            switch value {
            case .macro, .function: return true
            default: return false
            }
        case "odd", "even":
            guard let int = value.asInt else {
                throw TemplateRuntimeError("test '\(name)' expects an integer, got \(value.typeName)")
            }
            let odd = int % 2 != 0
            return name == "odd" ? odd : !odd
        case "divisibleby":
            guard let int = value.asInt, let divisor = try argument().asInt, divisor != 0 else {
                throw TemplateRuntimeError("test 'divisibleby' expects non-zero integers")
            }
            return int % divisor == 0
        case "eq", "equalto", "==": return value.isEqual(to: try argument())
        case "ne", "!=": return !value.isEqual(to: try argument())
        case "lt", "<": return try binary(.less, value, try argument()).isTruthy
        case "le", "<=": return try binary(.lessEqual, value, try argument()).isTruthy
        case "gt", ">": return try binary(.greater, value, try argument()).isTruthy
        case "ge", ">=": return try binary(.greaterEqual, value, try argument()).isTruthy
        case "in": return try contains(try argument(), value)
        case "sameas":
            let other = try argument()
            switch (value, other) {
            case (.bool(let a), .bool(let b)): return a == b
            case (.none, .none): return true
            case (.int(let a), .int(let b)): return a == b
            case (.string(let a), .string(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a == b
            default: return false
            }
        case "lower":
            guard case .string(let s) = value else { return false }
            return s == s.lowercased() && s != s.uppercased()
        case "upper":
            guard case .string(let s) = value else { return false }
            return s == s.uppercased() && s != s.lowercased()
        case "escaped":
            return false
        default:
            throw TemplateRuntimeError("unknown test '\(name)'")
        }
    }
}
