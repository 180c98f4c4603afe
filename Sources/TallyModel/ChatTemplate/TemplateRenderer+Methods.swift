/// Python methods callable on values: `s.strip()`, `d.items()`, `d.get(k)`, ...
extension TemplateRenderer {
    func callMethod(_ name: String, on value: TemplateValue, positional: [TemplateValue], keyword: [String: TemplateValue]) throws -> TemplateValue {
        let args = TemplateCallArguments(positional: positional, keyword: keyword, callee: name)
        switch value {
        case .string(let s):
            return try stringMethod(name, s, args)
        case .dict(let dict):
            return try dictMethod(name, dict, args)
        case .list(let items):
            return try listMethod(name, items, args)
        case .undefined(let variable):
            let owner = variable.isEmpty ? "undefined value" : "'\(variable)' (undefined)"
            throw TemplateRuntimeError("cannot call method '\(name)' on \(owner)")
        default:
            throw TemplateRuntimeError("'\(value.typeName)' object has no method '\(name)'")
        }
    }

    private func stringMethod(_ name: String, _ s: String, _ args: TemplateCallArguments) throws -> TemplateValue {
        switch name {
        case "strip", "lstrip", "rstrip":
            let characters = try args.string(0, "chars")
            return .string(Self.strip(s, characters: characters, leading: name != "rstrip", trailing: name != "lstrip"))
        case "upper": return .string(s.uppercased())
        case "lower": return .string(s.lowercased())
        case "title": return .string(Self.pythonTitle(s))
        case "capitalize": return .string(Self.capitalize(s))
        case "startswith", "endswith":
            let prefixes: [String]
            switch args.value(0, "prefix") {
            case .string(let p)?: prefixes = [p]
            case .list(let items)?: prefixes = items.map(\.outputString)
            default: throw TemplateRuntimeError("\(name)(): expected a string or a tuple of strings")
            }
            return .bool(prefixes.contains { name == "startswith" ? s.hasPrefix($0) || $0.isEmpty : s.hasSuffix($0) || $0.isEmpty })
        case "replace":
            let old = try args.requiredString(0, "old")
            let new = try args.requiredString(1, "new")
            return .string(Self.replace(s, old, new, count: try args.int(2, "count")))
        case "split", "rsplit":
            return .list(try split(s, args, fromRight: name == "rsplit").map { .string($0) })
        case "splitlines":
            return .list(s.split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) }
                .dropLast(s.hasSuffix("\n") ? 1 : 0))
        case "join":
            return .string(try iterate(args.value(0, "iterable") ?? .list([])).map(\.outputString).joined(separator: s))
        case "find":
            let needle = try args.requiredString(0, "sub")
            guard let range = s.range(of: needle) else { return .int(-1) }
            return .int(s.unicodeScalars.distance(from: s.startIndex, to: range.lowerBound))
        case "count":
            let needle = try args.requiredString(0, "sub")
            guard !needle.isEmpty else { return .int(s.unicodeScalars.count + 1) }
            return .int(s.components(separatedBy: needle).count - 1)
        case "isdigit":
            return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal })
        case "isspace":
            return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(Self.isPythonWhitespace))
        default:
            throw TemplateRuntimeError("'str' object has no method '\(name)'")
        }
    }

    private func split(_ s: String, _ args: TemplateCallArguments, fromRight: Bool) throws -> [String] {
        let separator = try args.string(0, "sep")
        let limit = try args.int(1, "maxsplit") ?? -1
        if let separator {
            guard !separator.isEmpty else { throw TemplateRuntimeError("split(): empty separator") }
            var parts = s.components(separatedBy: separator)
            if limit >= 0 && parts.count > limit + 1 {
                if fromRight {
                    let head = parts[..<(parts.count - limit)].joined(separator: separator)
                    parts = [head] + parts[(parts.count - limit)...]
                } else {
                    let tail = parts[limit...].joined(separator: separator)
                    parts = Array(parts[..<limit]) + [tail]
                }
            }
            return parts
        }
        // Whitespace splitting drops empty parts (Python's sep=None).
        var parts: [String] = []
        var rest = Substring(s)
        func trimLeading(_ text: Substring) -> Substring {
            text.drop(while: { $0.unicodeScalars.allSatisfy(Self.isPythonWhitespace) })
        }
        rest = trimLeading(rest)
        while !rest.isEmpty {
            if limit >= 0 && parts.count == limit {
                parts.append(String(Self.strip(String(rest), characters: nil, leading: false, trailing: true)))
                break
            }
            let word = rest.prefix(while: { !$0.unicodeScalars.allSatisfy(Self.isPythonWhitespace) })
            parts.append(String(word))
            rest = trimLeading(rest[word.endIndex...])
        }
        return parts
    }

    private func dictMethod(_ name: String, _ dict: TemplateDict, _ args: TemplateCallArguments) throws -> TemplateValue {
        switch name {
        case "items": return .list(dict.entries.map { .list([.string($0.key), $0.value]) })
        case "keys": return .list(dict.keys.map { .string($0) })
        case "values": return .list(dict.values)
        case "get":
            guard let key = args.value(0, "key") else { throw TemplateRuntimeError("get(): missing key") }
            return dict[key.outputString] ?? args.value(1, "default") ?? .none
        default:
            throw TemplateRuntimeError("'dict' object has no method '\(name)'")
        }
    }

    private func listMethod(_ name: String, _ items: [TemplateValue], _ args: TemplateCallArguments) throws -> TemplateValue {
        switch name {
        case "index":
            guard let needle = args.value(0, "value"), let index = items.firstIndex(where: { $0.isEqual(to: needle) }) else {
                throw TemplateRuntimeError("index(): value is not in list")
            }
            return .int(index)
        case "count":
            guard let needle = args.value(0, "value") else { throw TemplateRuntimeError("count(): missing value") }
            return .int(items.filter { $0.isEqual(to: needle) }.count)
        default:
            throw TemplateRuntimeError("'list' object has no method '\(name)'")
        }
    }
}
