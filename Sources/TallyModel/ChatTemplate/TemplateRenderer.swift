/// Executes a parsed template against a set of variables. One renderer is
/// made per render call; it owns the scope stack, the output buffers and the
/// mutable state of `namespace()` objects.
final class TemplateRenderer {
    enum Flow {
        case normal
        case breakLoop
        case continueLoop
    }

    /// Scope frames, innermost last; frame 0 holds the context and top-level `set`s.
    var scopes: [[String: TemplateValue]]
    /// Attribute tables of `namespace()` objects, indexed by `TemplateValue.namespace`.
    var namespaces: [TemplateDict] = []
    /// Output buffers; `set` blocks, `filter` blocks and macro calls capture into a fresh one.
    private var buffers: [String] = [""]
    /// Nesting depth of macro calls, to stop runaway recursion with an error.
    var macroDepth = 0
    /// Deep enough for recursive JSON-schema macros, shallow enough for small thread stacks.
    static let maximumMacroDepth = 64

    init(variables: [String: TemplateValue]) {
        var root = Self.globals
        for (name, value) in variables { root[name] = value }
        scopes = [root]
    }

    static let globals: [String: TemplateValue] = [
        "range": .function(.range),
        "namespace": .function(.namespace),
        "raise_exception": .function(.raiseException),
        "strftime_now": .function(.strftimeNow),
        "dict": .function(.dict),
    ]

    func render(_ nodes: [TemplateNode]) throws -> String {
        _ = try execute(nodes)
        return buffers[0]
    }

    // MARK: - Scopes and output

    func lookup(_ name: String) -> TemplateValue {
        for frame in scopes.reversed() {
            if let value = frame[name] { return value }
        }
        return .undefined(name)
    }

    func assign(_ name: String, _ value: TemplateValue) {
        scopes[scopes.count - 1][name] = value
    }

    private func write(_ text: String) {
        buffers[buffers.count - 1] += text
    }

    /// Renders `nodes` into a separate buffer and returns what they wrote.
    func capture(_ nodes: [TemplateNode]) throws -> String {
        buffers.append("")
        defer { buffers.removeLast() }
        _ = try execute(nodes)
        return buffers[buffers.count - 1]
    }

    /// Runs `body`, turning a `TemplateRuntimeError` into a located `ChatTemplateError`.
    func at<T>(_ location: TemplateLocation, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TemplateRuntimeError {
            throw ChatTemplateError.render(message: error.message, line: location.line, column: location.column)
        }
    }

    // MARK: - Statements

    func execute(_ nodes: [TemplateNode]) throws -> Flow {
        for node in nodes {
            let flow = try execute(node)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ node: TemplateNode) throws -> Flow {
        switch node {
        case .text(let text):
            write(text)
        case .output(let expression, let location):
            let text = try at(location) { try evaluate(expression).outputString }
            write(text)
        case .conditional(let branches, let otherwise, let location):
            for branch in branches {
                if try at(location, { try evaluate(branch.condition).isTruthy }) {
                    return try execute(branch.body)
                }
            }
            return try execute(otherwise)
        case .loop(let loop):
            return try executeLoop(loop)
        case .assign(let target, let expression, let location):
            try at(location) {
                let value = try evaluate(expression)
                try assign(value, to: target)
            }
        case .assignBlock(let name, let body, _):
            assign(name, .string(try capture(body)))
        case .macro(let macro):
            assign(macro.name, .macro(macro))
        case .filterBlock(let filter, let body, let location):
            let content = try capture(body)
            let filtered = try at(location) { try applyFilter(filter, to: .string(content)) }
            write(filtered.outputString)
        case .generation(let body):
            return try execute(body)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    private func assign(_ value: TemplateValue, to target: TemplateAssignTarget) throws {
        switch target {
        case .names(let names):
            if names.count == 1 {
                assign(names[0], value)
                return
            }
            let items = try unpack(value, count: names.count)
            for (name, item) in zip(names, items) { assign(name, item) }
        case .attribute(let object, let attribute):
            guard case .namespace(let id) = lookup(object) else {
                throw TemplateRuntimeError("cannot assign attribute '\(attribute)' on '\(object)': only namespace() objects support attribute assignment")
            }
            namespaces[id][attribute] = value
        }
    }

    private func unpack(_ value: TemplateValue, count: Int) throws -> [TemplateValue] {
        let items = try iterate(value)
        guard items.count == count else {
            throw TemplateRuntimeError("cannot unpack \(items.count) values into \(count) names")
        }
        return items
    }

    /// The items a `for` loop (or a filter) walks over.
    func iterate(_ value: TemplateValue) throws -> [TemplateValue] {
        switch value {
        case .list(let items): return items
        case .dict(let dict): return dict.keys.map { .string($0) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined: return []
        default: throw TemplateRuntimeError("'\(value.typeName)' object is not iterable")
        }
    }

    private func bind(_ targets: [String], to item: TemplateValue) throws {
        if targets.count == 1 {
            assign(targets[0], item)
        } else {
            for (name, value) in zip(targets, try unpack(item, count: targets.count)) { assign(name, value) }
        }
    }

    private func executeLoop(_ loop: TemplateLoop) throws -> Flow {
        var items = try at(loop.location) { try iterate(try evaluate(loop.iterable)) }
        if let condition = loop.condition {
            scopes.append([:])
            defer { scopes.removeLast() }
            items = try at(loop.location) {
                try items.filter { item in
                    try bind(loop.targets, to: item)
                    return try evaluate(condition).isTruthy
                }
            }
        }
        if items.isEmpty {
            return try execute(loop.otherwise)
        }
        let count = items.count
        for (index, item) in items.enumerated() {
            var info = TemplateDict()
            info["index"] = .int(index + 1)
            info["index0"] = .int(index)
            info["revindex"] = .int(count - index)
            info["revindex0"] = .int(count - index - 1)
            info["first"] = .bool(index == 0)
            info["last"] = .bool(index == count - 1)
            info["length"] = .int(count)
            info["depth"] = .int(1)
            info["depth0"] = .int(0)
            if index > 0 { info["previtem"] = items[index - 1] }
            if index < count - 1 { info["nextitem"] = items[index + 1] }
            scopes.append(["loop": .dict(info)])
            defer { scopes.removeLast() }
            try at(loop.location) { try bind(loop.targets, to: item) }
            if try execute(loop.body) == .breakLoop { break }
        }
        return .normal
    }
}
