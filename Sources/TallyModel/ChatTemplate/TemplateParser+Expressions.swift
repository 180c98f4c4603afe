/// Expression parsing, with Jinja's precedence (lowest first): conditional
/// `a if c else b`, `or`, `and`, `not`, comparisons and `in`, `+ -`, `~`,
/// `* / // %`, `**`, unary `- +`, then primaries with postfix `.attr`,
/// `[item]`, `(call)`, filters `|f` and tests `is t`.
extension TemplateParser {
    mutating func parseExpression(allowConditional: Bool = true) throws -> TemplateExpression {
        allowConditional ? try parseConditional() : try parseOr()
    }

    private mutating func parseConditional() throws -> TemplateExpression {
        var expression = try parseOr()
        while skipName("if") {
            let condition = try parseOr()
            var otherwise: TemplateExpression?
            if skipName("else") { otherwise = try parseConditional() }
            expression = .conditional(condition: condition, then: expression, otherwise: otherwise)
        }
        return expression
    }

    private mutating func parseOr() throws -> TemplateExpression {
        var left = try parseAnd()
        while skipName("or") { left = .binary(.or, left, try parseAnd()) }
        return left
    }

    private mutating func parseAnd() throws -> TemplateExpression {
        var left = try parseNot()
        while skipName("and") { left = .binary(.and, left, try parseNot()) }
        return left
    }

    private mutating func parseNot() throws -> TemplateExpression {
        if isName("not") {
            advance()
            return .unary(.not, try parseNot())
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws -> TemplateExpression {
        var left = try parseAdditive()
        while true {
            if case .symbol(let symbol) = current.kind, let op = TemplateBinaryOperator(rawValue: symbol),
               [.equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual].contains(op) {
                advance()
                left = .binary(op, left, try parseAdditive())
            } else if isName("in") {
                advance()
                left = .binary(.contains, left, try parseAdditive())
            } else if isName("not"), peek().kind == .name("in") {
                advance()
                advance()
                left = .binary(.notContains, left, try parseAdditive())
            } else {
                return left
            }
        }
    }

    private mutating func parseAdditive() throws -> TemplateExpression {
        var left = try parseConcat()
        while true {
            if skipSymbol("+") {
                left = .binary(.add, left, try parseConcat())
            } else if skipSymbol("-") {
                left = .binary(.subtract, left, try parseConcat())
            } else {
                return left
            }
        }
    }

    private mutating func parseConcat() throws -> TemplateExpression {
        var left = try parseMultiplicative()
        while skipSymbol("~") { left = .binary(.concat, left, try parseMultiplicative()) }
        return left
    }

    private mutating func parseMultiplicative() throws -> TemplateExpression {
        var left = try parsePower()
        while true {
            guard case .symbol(let symbol) = current.kind, ["*", "/", "//", "%"].contains(symbol),
                  let op = TemplateBinaryOperator(rawValue: symbol) else { return left }
            advance()
            left = .binary(op, left, try parsePower())
        }
    }

    private mutating func parsePower() throws -> TemplateExpression {
        var left = try parseUnary(withFilters: true)
        while skipSymbol("**") { left = .binary(.power, left, try parseUnary(withFilters: true)) }
        return left
    }

    private mutating func parseUnary(withFilters: Bool) throws -> TemplateExpression {
        var expression: TemplateExpression
        if skipSymbol("-") {
            expression = .unary(.negate, try parseUnary(withFilters: false))
        } else if skipSymbol("+") {
            expression = .unary(.plus, try parseUnary(withFilters: false))
        } else {
            expression = try parsePrimary()
        }
        expression = try parsePostfix(expression)
        if withFilters { expression = try parseFiltersAndTests(expression) }
        return expression
    }

    private mutating func parsePrimary() throws -> TemplateExpression {
        let token = current
        switch token.kind {
        case .name(let name):
            advance()
            switch name {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .variable(name)
            }
        case .string(let first):
            advance()
            var value = first
            while case .string(let next) = current.kind {
                value += next
                advance()
            }
            return .literal(.string(value))
        case .integer(let value):
            advance()
            return .literal(.int(value))
        case .float(let value):
            advance()
            return .literal(.double(value))
        case .symbol("("):
            advance()
            if skipSymbol(")") { return .list([]) }
            let first = try parseExpression()
            if isSymbol(",") {
                var items = [first]
                while skipSymbol(",") {
                    if isSymbol(")") { break }
                    items.append(try parseExpression())
                }
                try expectSymbol(")")
                return .list(items)
            }
            try expectSymbol(")")
            return first
        case .symbol("["):
            advance()
            var items: [TemplateExpression] = []
            while !isSymbol("]") {
                items.append(try parseExpression())
                if !skipSymbol(",") { break }
            }
            try expectSymbol("]")
            return .list(items)
        case .symbol("{"):
            advance()
            var entries: [TemplateDictEntry] = []
            while !isSymbol("}") {
                let key = try parseExpression()
                try expectSymbol(":")
                entries.append(TemplateDictEntry(key: key, value: try parseExpression()))
                if !skipSymbol(",") { break }
            }
            try expectSymbol("}")
            return .dict(entries)
        default:
            throw error("unexpected \(describe(token)) in expression")
        }
    }

    private mutating func parsePostfix(_ base: TemplateExpression) throws -> TemplateExpression {
        var expression = base
        while true {
            if skipSymbol(".") {
                switch current.kind {
                case .name(let name):
                    advance()
                    expression = .attribute(expression, name)
                case .integer(let index):
                    advance()
                    expression = .item(expression, .literal(.int(index)))
                default:
                    throw error("expected an attribute name after '.', found \(describe(current))")
                }
            } else if skipSymbol("[") {
                expression = try parseSubscript(expression)
            } else if isSymbol("(") {
                expression = .call(expression, try parseArguments())
            } else {
                return expression
            }
        }
    }

    private mutating func parseSubscript(_ base: TemplateExpression) throws -> TemplateExpression {
        var start: TemplateExpression?
        if !isSymbol(":") {
            start = try parseExpression()
            if skipSymbol("]") { return .item(base, start!) }
        }
        try expectSymbol(":")
        var stop: TemplateExpression?
        var step: TemplateExpression?
        if !isSymbol(":") && !isSymbol("]") { stop = try parseExpression() }
        if skipSymbol(":") {
            if !isSymbol("]") { step = try parseExpression() }
        }
        try expectSymbol("]")
        return .slice(base, start: start, stop: stop, step: step)
    }

    /// `( positional..., name=value... )`; the current token is `(`.
    private mutating func parseArguments() throws -> TemplateArguments {
        try expectSymbol("(")
        var arguments = TemplateArguments()
        while !isSymbol(")") {
            if case .name(let name) = current.kind, peek().kind == .symbol("=") {
                advance()
                advance()
                arguments.keyword.append(TemplateKeywordArgument(name: name, value: try parseExpression()))
            } else {
                if !arguments.keyword.isEmpty {
                    throw error("positional argument follows keyword argument")
                }
                arguments.positional.append(try parseExpression())
            }
            if !skipSymbol(",") { break }
        }
        try expectSymbol(")")
        return arguments
    }

    /// A filter name (possibly dotted) and optional arguments.
    mutating func parseFilterCall() throws -> TemplateFilterCall {
        let nameToken = current
        var name = try expectName()
        while isSymbol("."), case .name(let part) = peek().kind {
            advance()
            advance()
            name += "." + part
        }
        guard TemplateRenderer.filterNames.contains(name) else {
            throw error("unknown filter '\(name)'", at: nameToken)
        }
        let arguments = isSymbol("(") ? try parseArguments() : TemplateArguments()
        return TemplateFilterCall(name: name, arguments: arguments)
    }

    private mutating func parseFiltersAndTests(_ base: TemplateExpression) throws -> TemplateExpression {
        var expression = base
        while true {
            if skipSymbol("|") {
                expression = .filter(expression, try parseFilterCall())
            } else if skipName("is") {
                let negated = skipName("not")
                let nameToken = current
                var name = try expectName()
                if name == "none" || name == "None" { name = "none" }
                if name == "True" { name = "true" }
                if name == "False" { name = "false" }
                guard TemplateRenderer.testNames.contains(name) else {
                    throw error("unknown test '\(name)'", at: nameToken)
                }
                var arguments: [TemplateExpression] = []
                if isSymbol("(") {
                    let parsed = try parseArguments()
                    arguments = parsed.positional + parsed.keyword.map(\.value)
                } else if startsTestArgument() {
                    arguments = [try parsePostfix(try parsePrimary())]
                }
                expression = .test(expression, TemplateTestCall(name: name, arguments: arguments, negated: negated))
            } else if isSymbol("(") {
                expression = .call(expression, try parseArguments())
            } else {
                return expression
            }
        }
    }

    /// Whether the token after a test name starts its single, unparenthesized argument.
    private func startsTestArgument() -> Bool {
        switch current.kind {
        case .name(let name): return !["else", "or", "and", "if", "is", "in", "not"].contains(name)
        case .string, .integer, .float: return true
        case .symbol(let symbol): return symbol == "[" || symbol == "{"
        default: return false
        }
    }
}
