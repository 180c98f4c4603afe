/// Evaluated call arguments, with Python-style lookup by position or name.
struct TemplateCallArguments {
    let positional: [TemplateValue]
    let keyword: [String: TemplateValue]
    let callee: String

    /// The argument at `index` or named `name`, if given.
    func value(_ index: Int, _ name: String) -> TemplateValue? {
        if let value = keyword[name] { return value }
        return index < positional.count ? positional[index] : nil
    }

    func string(_ index: Int, _ name: String) throws -> String? {
        guard let value = value(index, name), !value.isUndefined else { return nil }
        if case .none = value { return nil }
        guard case .string(let s) = value else {
            throw TemplateRuntimeError("\(callee)(): argument '\(name)' must be a string, not \(value.typeName)")
        }
        return s
    }

    func requiredString(_ index: Int, _ name: String) throws -> String {
        guard let s = try string(index, name) else {
            throw TemplateRuntimeError("\(callee)(): missing required argument '\(name)'")
        }
        return s
    }

    func int(_ index: Int, _ name: String) throws -> Int? {
        guard let value = value(index, name), !value.isUndefined else { return nil }
        if case .none = value { return nil }
        guard let int = value.asInt else {
            throw TemplateRuntimeError("\(callee)(): argument '\(name)' must be an integer, not \(value.typeName)")
        }
        return int
    }

    func bool(_ index: Int, _ name: String) -> Bool? {
        value(index, name).map(\.isTruthy)
    }
}
