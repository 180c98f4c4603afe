import Foundation

/// Expression evaluation: variables, attribute and item access, slicing,
/// operators, calls of macros, globals and methods.
extension TemplateRenderer {
    func evaluate(_ expression: TemplateExpression) throws -> TemplateValue {
        switch expression {
        case .literal(let value):
            return value
        case .list(let items):
            return .list(try items.map(evaluate))
        case .dict(let entries):
            var dict = TemplateDict()
            for entry in entries {
                dict[try evaluate(entry.key).outputString] = try evaluate(entry.value)
            }
            return .dict(dict)
        case .variable(let name):
            return lookup(name)
        case .attribute(let base, let name):
            return attribute(name, of: try evaluate(base))
        case .item(let base, let key):
            return item(try evaluate(key), of: try evaluate(base))
        case .slice(let base, let start, let stop, let step):
            return try slice(
                try evaluate(base),
                start: try start.map(evaluate), stop: try stop.map(evaluate), step: try step.map(evaluate)
            )
        case .unary(let op, let operand):
            return try unary(op, try evaluate(operand))
        case .binary(.and, let left, let right):
            let value = try evaluate(left)
            return value.isTruthy ? try evaluate(right) : value
        case .binary(.or, let left, let right):
            let value = try evaluate(left)
            return value.isTruthy ? value : try evaluate(right)
        case .binary(let op, let left, let right):
            return try binary(op, try evaluate(left), try evaluate(right))
        case .test(let base, let test):
            let result = try applyTest(test.name, to: try evaluate(base), arguments: try test.arguments.map(evaluate))
            return .bool(result != test.negated)
        case .filter(let base, let filter):
            return try applyFilter(filter, to: try evaluate(base))
        case .call(let callee, let arguments):
            return try call(callee, arguments)
        case .conditional(let condition, let then, let otherwise):
            if try evaluate(condition).isTruthy { return try evaluate(then) }
            return try otherwise.map(evaluate) ?? .undefined("")
        }
    }

    // MARK: - Access

    func attribute(_ name: String, of value: TemplateValue) -> TemplateValue {
        switch value {
        case .dict(let dict):
            return dict[name] ?? .undefined(name)
        case .namespace(let id):
            return namespaces[id][name] ?? .undefined(name)
        default:
            return .undefined(name)
        }
    }

    func item(_ key: TemplateValue, of value: TemplateValue) -> TemplateValue {
        switch (value, key) {
        case (.list(let items), _):
            guard let index = key.asInt else { return .undefined("") }
            let resolved = index < 0 ? index + items.count : index
            return items.indices.contains(resolved) ? items[resolved] : .undefined("")
        case (.string(let s), _):
            guard let index = key.asInt else { return .undefined("") }
            let scalars = Array(s.unicodeScalars)
            let resolved = index < 0 ? index + scalars.count : index
            return scalars.indices.contains(resolved) ? .string(String(scalars[resolved])) : .undefined("")
        case (.dict(let dict), .string(let name)):
            return dict[name] ?? .undefined(name)
        case (.dict(let dict), _):
            return dict[key.outputString] ?? .undefined(key.outputString)
        case (.namespace, .string(let name)):
            return attribute(name, of: value)
        default:
            return .undefined("")
        }
    }

    /// Python slice semantics for lists and strings.
    private func slice(_ value: TemplateValue, start: TemplateValue?, stop: TemplateValue?, step: TemplateValue?) throws -> TemplateValue {
        func bound(_ value: TemplateValue?) throws -> Int? {
            guard let value, !(value.isUndefined), !(isNone(value)) else { return nil }
            guard let int = value.asInt else { throw TemplateRuntimeError("slice indices must be integers, not \(value.typeName)") }
            return int
        }
        let stepValue = try bound(step) ?? 1
        guard stepValue != 0 else { throw TemplateRuntimeError("slice step cannot be zero") }
        func indices(count: Int) throws -> [Int] {
            func clamp(_ raw: Int?, _ defaultValue: Int, low: Int, high: Int) -> Int {
                guard var index = raw else { return defaultValue }
                if index < 0 { index += count }
                return min(max(index, low), high)
            }
            if stepValue > 0 {
                let from = clamp(try bound(start), 0, low: 0, high: count)
                let to = clamp(try bound(stop), count, low: 0, high: count)
                return Array(stride(from: from, to: to, by: stepValue))
            }
            let from = clamp(try bound(start), count - 1, low: -1, high: count - 1)
            let to = clamp(try bound(stop), -1, low: -1, high: count - 1)
            return Array(stride(from: from, to: to, by: stepValue))
        }
        switch value {
        case .list(let items):
            return .list(try indices(count: items.count).map { items[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var view = String.UnicodeScalarView()
            view.append(contentsOf: try indices(count: scalars.count).map { scalars[$0] })
            return .string(String(view))
        case .undefined:
            return value
        default:
            throw TemplateRuntimeError("'\(value.typeName)' object is not subscriptable")
        }
    }

    private func isNone(_ value: TemplateValue) -> Bool {
        if case .none = value { return true }
        return false
    }

    // MARK: - Operators

    private func unary(_ op: TemplateUnaryOperator, _ value: TemplateValue) throws -> TemplateValue {
        switch op {
        case .not:
            return .bool(!value.isTruthy)
        case .negate:
            if let int = value.asInt { return .int(-int) }
            if case .double(let d) = value { return .double(-d) }
            throw TemplateRuntimeError("bad operand type for unary -: '\(value.typeName)'")
        case .plus:
            if let int = value.asInt { return .int(int) }
            if case .double = value { return value }
            throw TemplateRuntimeError("bad operand type for unary +: '\(value.typeName)'")
        }
    }

    func binary(_ op: TemplateBinaryOperator, _ left: TemplateValue, _ right: TemplateValue) throws -> TemplateValue {
        switch op {
        case .concat:
            return .string(left.outputString + right.outputString)
        case .equal:
            return .bool(left.isEqual(to: right))
        case .notEqual:
            return .bool(!left.isEqual(to: right))
        case .less, .lessEqual, .greater, .greaterEqual:
            let order = try compare(left, right, op)
            switch op {
            case .less: return .bool(order < 0)
            case .lessEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .contains:
            return .bool(try contains(right, left))
        case .notContains:
            return .bool(!(try contains(right, left)))
        case .add:
            switch (left, right) {
            case (.string(let a), .string(let b)): return .string(a + b)
            case (.list(let a), .list(let b)): return .list(a + b)
            default: return try arithmetic(op, left, right)
            }
        case .multiply:
            switch (left, right) {
            case (.string(let s), .int(let n)), (.int(let n), .string(let s)):
                return .string(String(repeating: s, count: max(0, n)))
            case (.list(let items), .int(let n)), (.int(let n), .list(let items)):
                return .list(Array((0..<max(0, n)).map { _ in items }.joined()))
            default: return try arithmetic(op, left, right)
            }
        case .subtract, .divide, .floorDivide, .modulo, .power:
            return try arithmetic(op, left, right)
        case .and, .or:
            return left.isTruthy == (op == .and) ? right : left
        }
    }

    private func arithmetic(_ op: TemplateBinaryOperator, _ left: TemplateValue, _ right: TemplateValue) throws -> TemplateValue {
        guard let a = left.asDouble, let b = right.asDouble else {
            throw TemplateRuntimeError("unsupported operand types for \(op.rawValue): '\(left.typeName)' and '\(right.typeName)'")
        }
        if let x = left.asInt, let y = right.asInt {
            switch op {
            case .add: return .int(x &+ y)
            case .subtract: return .int(x &- y)
            case .multiply: return .int(x &* y)
            case .floorDivide, .modulo:
                guard y != 0 else { throw TemplateRuntimeError("integer division or modulo by zero") }
                var quotient = x / y
                var remainder = x % y
                if remainder != 0 && (remainder < 0) != (y < 0) {
                    quotient -= 1
                    remainder += y
                }
                return .int(op == .floorDivide ? quotient : remainder)
            case .power where y >= 0:
                var result = 1
                for _ in 0..<y { result = result &* x }
                return .int(result)
            default: break
            }
        }
        switch op {
        case .add: return .double(a + b)
        case .subtract: return .double(a - b)
        case .multiply: return .double(a * b)
        case .divide:
            guard b != 0 else { throw TemplateRuntimeError("division by zero") }
            return .double(a / b)
        case .floorDivide:
            guard b != 0 else { throw TemplateRuntimeError("float floor division by zero") }
            return .double((a / b).rounded(.down))
        case .modulo:
            guard b != 0 else { throw TemplateRuntimeError("float modulo by zero") }
            let r = a.truncatingRemainder(dividingBy: b)
            return .double(r != 0 && (r < 0) != (b < 0) ? r + b : r)
        case .power: return .double(Foundation.pow(a, b))
        default: throw TemplateRuntimeError("unsupported operator \(op.rawValue)")
        }
    }

    private func compare(_ left: TemplateValue, _ right: TemplateValue, _ op: TemplateBinaryOperator) throws -> Int {
        switch (left, right) {
        case (.string(let a), .string(let b)):
            return a == b ? 0 : (a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : 1)
        case (.list(let a), .list(let b)):
            for (x, y) in zip(a, b) where !x.isEqual(to: y) {
                return try compare(x, y, op)
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        default:
            guard let a = left.asDouble, let b = right.asDouble else {
                throw TemplateRuntimeError("'\(op.rawValue)' not supported between instances of '\(left.typeName)' and '\(right.typeName)'")
            }
            if let x = left.asInt, let y = right.asInt { return x == y ? 0 : (x < y ? -1 : 1) }
            return a == b ? 0 : (a < b ? -1 : 1)
        }
    }

    func contains(_ container: TemplateValue, _ element: TemplateValue) throws -> Bool {
        switch container {
        case .string(let s):
            guard case .string(let needle) = element else {
                throw TemplateRuntimeError("'in <string>' requires string as left operand, not \(element.typeName)")
            }
            return needle.isEmpty || s.contains(needle)
        case .list(let items):
            return items.contains { $0.isEqual(to: element) }
        case .dict(let dict):
            return dict[element.outputString] != nil && isHashableKey(element)
        case .namespace(let id):
            return namespaces[id][element.outputString] != nil
        case .undefined:
            return false
        default:
            throw TemplateRuntimeError("argument of type '\(container.typeName)' is not iterable")
        }
    }

    private func isHashableKey(_ value: TemplateValue) -> Bool {
        if case .string = value { return true }
        return false
    }

    // MARK: - Calls

    private func call(_ callee: TemplateExpression, _ arguments: TemplateArguments) throws -> TemplateValue {
        if case .attribute(let baseExpression, let name) = callee {
            let base = try evaluate(baseExpression)
            let member = attribute(name, of: base)
            if case .macro = member {
                return try callValue(member, arguments, name: name)
            }
            let positional = try arguments.positional.map(evaluate)
            var keyword: [String: TemplateValue] = [:]
            for argument in arguments.keyword { keyword[argument.name] = try evaluate(argument.value) }
            return try callMethod(name, on: base, positional: positional, keyword: keyword)
        }
        let name: String
        if case .variable(let variable) = callee { name = variable } else { name = "expression" }
        return try callValue(try evaluate(callee), arguments, name: name)
    }

    private func callValue(_ value: TemplateValue, _ arguments: TemplateArguments, name: String) throws -> TemplateValue {
        let positional = try arguments.positional.map(evaluate)
        var keyword: [(String, TemplateValue)] = []
        for argument in arguments.keyword { keyword.append((argument.name, try evaluate(argument.value))) }
        switch value {
        case .macro(let macro):
            return try callMacro(macro, positional: positional, keyword: keyword)
        case .function(let builtin):
            return try callBuiltin(builtin, positional: positional, keyword: keyword)
        case .undefined:
            throw TemplateRuntimeError("'\(name)' is undefined and cannot be called")
        default:
            throw TemplateRuntimeError("'\(value.typeName)' object '\(name)' is not callable")
        }
    }

    private func callMacro(_ macro: TemplateMacro, positional: [TemplateValue], keyword: [(String, TemplateValue)]) throws -> TemplateValue {
        guard positional.count <= macro.parameters.count else {
            throw TemplateRuntimeError("macro '\(macro.name)' takes \(macro.parameters.count) arguments, \(positional.count) given")
        }
        guard macroDepth < Self.maximumMacroDepth else {
            throw TemplateRuntimeError("macro '\(macro.name)' recursed too deeply")
        }
        var frame: [String: TemplateValue] = [:]
        for (parameter, value) in zip(macro.parameters, positional) { frame[parameter.name] = value }
        for (name, value) in keyword {
            guard macro.parameters.contains(where: { $0.name == name }) else {
                throw TemplateRuntimeError("macro '\(macro.name)' has no parameter named '\(name)'")
            }
            frame[name] = value
        }
        let savedScopes = scopes
        scopes = [scopes[0], frame]
        macroDepth += 1
        defer {
            scopes = savedScopes
            macroDepth -= 1
        }
        for parameter in macro.parameters where frame[parameter.name] == nil {
            let value = try parameter.defaultValue.map(evaluate) ?? .undefined(parameter.name)
            assign(parameter.name, value)
            frame[parameter.name] = value
        }
        return .string(try capture(macro.body))
    }
}
