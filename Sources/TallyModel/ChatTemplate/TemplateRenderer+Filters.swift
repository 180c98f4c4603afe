import Foundation

/// The filters (`value | name(args)`) Hugging Face chat templates use.
extension TemplateRenderer {
    static let filterNames: Set<String> = [
        "abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float",
        "forceescape", "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min",
        "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string",
        "sum", "title", "tojson", "trim", "unique", "upper", "wordcount",
    ]

    func applyFilter(_ filter: TemplateFilterCall, to value: TemplateValue) throws -> TemplateValue {
        let positional = try filter.arguments.positional.map(evaluate)
        var keyword: [String: TemplateValue] = [:]
        for argument in filter.arguments.keyword { keyword[argument.name] = try evaluate(argument.value) }
        return try applyFilter(filter.name, to: value, TemplateCallArguments(positional: positional, keyword: keyword, callee: filter.name))
    }

    func applyFilter(_ name: String, to value: TemplateValue, _ args: TemplateCallArguments) throws -> TemplateValue {
        switch name {
        case "trim":
            return .string(Self.strip(value.outputString, characters: try args.string(0, "chars"), leading: true, trailing: true))
        case "upper":
            return .string(value.outputString.uppercased())
        case "lower":
            return .string(value.outputString.lowercased())
        case "capitalize":
            return .string(Self.capitalize(value.outputString))
        case "title":
            return .string(Self.jinjaTitle(value.outputString))
        case "length", "count":
            return .int(try length(of: value))
        case "wordcount":
            return .int(value.outputString.split(whereSeparator: { $0.isWhitespace }).count)
        case "first":
            return try iterate(value).first ?? .undefined("first")
        case "last":
            return try iterate(value).last ?? .undefined("last")
        case "join":
            let separator = try args.string(0, "d") ?? ""
            var items = try iterate(value)
            if let attribute = try args.string(1, "attribute") {
                items = items.map { self.attribute(attribute, of: $0) }
            }
            return .string(items.map(\.outputString).joined(separator: separator))
        case "default", "d":
            let fallback = args.value(0, "default_value") ?? .string("")
            let boolean = args.bool(1, "boolean") ?? false
            if value.isUndefined || (boolean && !value.isTruthy) { return fallback }
            return value
        case "tojson":
            return .string(try toJSON(value, args))
        case "string":
            return .string(value.outputString)
        case "int":
            return toInt(value, default: args.value(0, "default") ?? .int(0))
        case "float":
            return toFloat(value, default: args.value(0, "default") ?? .double(0))
        case "list":
            return .list(try iterate(value))
        case "items":
            switch value {
            case .dict(let dict): return .list(dict.entries.map { .list([.string($0.key), $0.value]) })
            case .undefined: return .list([])
            default: throw TemplateRuntimeError("items filter expects a mapping, got \(value.typeName)")
            }
        case "replace":
            let old = try args.requiredString(0, "old")
            let new = try args.requiredString(1, "new")
            return .string(Self.replace(value.outputString, old, new, count: try args.int(2, "count")))
        case "safe", "forceescape":
            return name == "safe" ? value : .string(Self.htmlEscape(value.outputString))
        case "escape", "e":
            return .string(Self.htmlEscape(value.outputString))
        case "round":
            return try round(value, args)
        case "abs":
            if let int = value.asInt { return .int(abs(int)) }
            if case .double(let d) = value { return .double(abs(d)) }
            throw TemplateRuntimeError("abs filter expects a number, got \(value.typeName)")
        case "attr":
            return attribute(try args.requiredString(0, "name"), of: value)
        case "select", "reject", "selectattr", "rejectattr":
            return try select(name, value, args)
        case "map":
            return try map(value, args)
        case "unique":
            var seen: [TemplateValue] = []
            for item in try iterate(value) where !seen.contains(where: { $0.isEqual(to: item) }) { seen.append(item) }
            return .list(seen)
        case "reverse":
            if case .string(let s) = value { return .string(String(s.reversed())) }
            return .list(try iterate(value).reversed())
        case "sort":
            return try sort(value, args)
        case "dictsort":
            guard case .dict(let dict) = value else { throw TemplateRuntimeError("dictsort filter expects a mapping, got \(value.typeName)") }
            let sorted = dict.entries.sorted { $0.key.lowercased() < $1.key.lowercased() }
            return .list(sorted.map { .list([.string($0.key), $0.value]) })
        case "indent":
            return .string(try indent(value.outputString, args))
        case "sum":
            var total = args.value(1, "start") ?? .int(0)
            for var item in try iterate(value) {
                if let attribute = try args.string(0, "attribute") { item = self.attribute(attribute, of: item) }
                total = try binary(.add, total, item)
            }
            return total
        case "min", "max":
            let items = try iterate(value)
            guard var best = items.first else { return .undefined(name) }
            for item in items.dropFirst() {
                let better = try binary(name == "min" ? .less : .greater, item, best)
                if better.isTruthy { best = item }
            }
            return best
        default:
            throw TemplateRuntimeError("unknown filter '\(name)'")
        }
    }

    func length(of value: TemplateValue) throws -> Int {
        switch value {
        case .string(let s): return s.unicodeScalars.count
        case .list(let items): return items.count
        case .dict(let dict): return dict.count
        case .undefined: return 0
        default: throw TemplateRuntimeError("object of type '\(value.typeName)' has no len()")
        }
    }

    private func toJSON(_ value: TemplateValue, _ args: TemplateCallArguments) throws -> String {
        var indent: String?
        if let indentValue = args.value(0, "indent") {
            switch indentValue {
            case .int(let width): indent = String(repeating: " ", count: max(0, width))
            case .string(let s): indent = s
            case .none, .undefined: indent = nil
            default: throw TemplateRuntimeError("tojson(): indent must be an integer or a string")
            }
        }
        return try value.json(
            indent: indent,
            sortKeys: args.bool(99, "sort_keys") ?? false,
            ensureASCII: args.bool(99, "ensure_ascii") ?? false
        )
    }

    private func toInt(_ value: TemplateValue, default fallback: TemplateValue) -> TemplateValue {
        switch value {
        case .int, .bool: return .int(value.asInt ?? 0)
        case .double(let d): return d.isFinite ? .int(Int(d)) : fallback
        case .string(let s):
            let trimmed = s.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
            if let int = Int(trimmed) { return .int(int) }
            if let double = Double(trimmed), double.isFinite { return .int(Int(double)) }
            return fallback
        default: return fallback
        }
    }

    private func toFloat(_ value: TemplateValue, default fallback: TemplateValue) -> TemplateValue {
        switch value {
        case .int, .bool, .double: return .double(value.asDouble ?? 0)
        case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces)).map { .double($0) } ?? fallback
        default: return fallback
        }
    }

    private func round(_ value: TemplateValue, _ args: TemplateCallArguments) throws -> TemplateValue {
        guard let number = value.asDouble else { throw TemplateRuntimeError("round filter expects a number, got \(value.typeName)") }
        let precision = try args.int(0, "precision") ?? 0
        let method = try args.string(1, "method") ?? "common"
        let scale = Foundation.pow(10.0, Double(precision))
        let scaled = number * scale
        let rounded: Double
        switch method {
        case "common": rounded = scaled.rounded(.toNearestOrEven)
        case "ceil": rounded = scaled.rounded(.up)
        case "floor": rounded = scaled.rounded(.down)
        default: throw TemplateRuntimeError("round(): method must be 'common', 'ceil' or 'floor'")
        }
        return .double(rounded / scale)
    }

    private func select(_ name: String, _ value: TemplateValue, _ args: TemplateCallArguments) throws -> TemplateValue {
        let byAttribute = name.hasSuffix("attr")
        let keep = name.hasPrefix("select")
        var argumentIndex = 0
        var attributeName: String?
        if byAttribute {
            attributeName = try args.requiredString(0, "attribute")
            argumentIndex = 1
        }
        let testName: String? = args.positional.count > argumentIndex ? try args.string(argumentIndex, "test") : nil
        if let testName, !Self.testNames.contains(testName) {
            throw TemplateRuntimeError("\(name)(): unknown test '\(testName)'")
        }
        let testArguments = Array(args.positional.dropFirst(argumentIndex + 1))
        var result: [TemplateValue] = []
        for item in try iterate(value) {
            let subject = attributeName.map { attribute($0, of: item) } ?? item
            let passed = try testName.map { try applyTest($0, to: subject, arguments: testArguments) } ?? subject.isTruthy
            if passed == keep { result.append(item) }
        }
        return .list(result)
    }

    private func map(_ value: TemplateValue, _ args: TemplateCallArguments) throws -> TemplateValue {
        let items = try iterate(value)
        if let attributeName = args.keyword["attribute"] {
            let fallback = args.keyword["default"]
            return .list(items.map { item in
                let result = attribute(attributeName.outputString, of: item)
                if result.isUndefined, let fallback { return fallback }
                return result
            })
        }
        guard let filterName = try args.string(0, "filter") else {
            throw TemplateRuntimeError("map(): expected a filter name or attribute=")
        }
        guard Self.filterNames.contains(filterName) else {
            throw TemplateRuntimeError("map(): unknown filter '\(filterName)'")
        }
        let rest = TemplateCallArguments(positional: Array(args.positional.dropFirst()), keyword: args.keyword, callee: filterName)
        return .list(try items.map { try applyFilter(filterName, to: $0, rest) })
    }

    private func sort(_ value: TemplateValue, _ args: TemplateCallArguments) throws -> TemplateValue {
        let reverse = args.bool(0, "reverse") ?? false
        let caseSensitive = args.bool(1, "case_sensitive") ?? false
        let attributeName = try args.string(2, "attribute")
        func key(_ item: TemplateValue) -> TemplateValue {
            let subject = attributeName.map { attribute($0, of: item) } ?? item
            if !caseSensitive, case .string(let s) = subject { return .string(s.lowercased()) }
            return subject
        }
        var failure: Error?
        let sorted = try iterate(value).sorted { a, b in
            do {
                return try binary(reverse ? .greater : .less, key(a), key(b)).isTruthy
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return .list(sorted)
    }

    private func indent(_ text: String, _ args: TemplateCallArguments) throws -> String {
        let prefix: String
        switch args.value(0, "width") {
        case .string(let s): prefix = s
        case let other?: prefix = String(repeating: " ", count: other.asInt ?? 4)
        case nil: prefix = "    "
        }
        let first = args.bool(1, "first") ?? false
        let blank = args.bool(2, "blank") ?? false
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.enumerated().map { index, line in
            if index == 0 && !first { return String(line) }
            if line.isEmpty && !blank { return String(line) }
            return prefix + line
        }.joined(separator: "\n")
    }

    // MARK: - String helpers (Python semantics)

    static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    static func strip(_ s: String, characters: String?, leading: Bool, trailing: Bool) -> String {
        let scalars = Array(s.unicodeScalars)
        let set = characters.map { Set($0.unicodeScalars) }
        func strippable(_ scalar: Unicode.Scalar) -> Bool {
            set.map { $0.contains(scalar) } ?? isPythonWhitespace(scalar)
        }
        var start = 0
        var end = scalars.count
        if leading { while start < end && strippable(scalars[start]) { start += 1 } }
        if trailing { while end > start && strippable(scalars[end - 1]) { end -= 1 } }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.first else { return s }
        return String(first).uppercased() + s.dropFirst().lowercased()
    }

    /// Jinja's `title` filter: words start after whitespace or `-([{<`.
    static func jinjaTitle(_ s: String) -> String {
        var result = ""
        var atWordStart = true
        for character in s {
            if atWordStart {
                result += String(character).uppercased()
            } else {
                result += String(character).lowercased()
            }
            atWordStart = character.isWhitespace || "-([{<".contains(character)
        }
        return result
    }

    /// Python's `str.title()`: a cased letter after an uncased character starts a word.
    static func pythonTitle(_ s: String) -> String {
        var result = ""
        var previousCased = false
        for character in s {
            let cased = character.isLetter
            result += previousCased ? String(character).lowercased() : String(character).uppercased()
            previousCased = cased
        }
        return result
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: Int?) -> String {
        guard let count, count >= 0 else { return s.replacingOccurrences(of: old, with: new) }
        var result = ""
        var remaining = Substring(s)
        var replaced = 0
        while replaced < count, let range = remaining.range(of: old), !old.isEmpty {
            result += remaining[..<range.lowerBound] + new
            remaining = remaining[range.upperBound...]
            replaced += 1
        }
        return result + remaining
    }

    static func htmlEscape(_ s: String) -> String {
        var result = ""
        for character in s {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&#34;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
