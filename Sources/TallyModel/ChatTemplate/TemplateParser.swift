/// Builds the statement AST from lexer tokens (expressions are in
/// `TemplateParser+Expressions.swift`).
struct TemplateParser {
    private let tokens: [TemplateToken]
    private var index = 0
    private var loopDepth = 0

    static func parse(_ source: String) throws -> [TemplateNode] {
        var parser = TemplateParser(tokens: try TemplateLexer.tokenize(source))
        let (nodes, _) = try parser.parseBody(until: [], opener: nil)
        return nodes
    }

    private init(tokens: [TemplateToken]) {
        self.tokens = tokens
    }

    // MARK: - Token access

    var current: TemplateToken { tokens[index] }

    func peek(_ offset: Int = 1) -> TemplateToken {
        tokens[min(index + offset, tokens.count - 1)]
    }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    func error(_ message: String, at token: TemplateToken? = nil) -> ChatTemplateError {
        let location = (token ?? current).location
        return .syntax(message: message, line: location.line, column: location.column)
    }

    func isSymbol(_ symbol: String) -> Bool {
        current.kind == .symbol(symbol)
    }

    func isName(_ name: String) -> Bool {
        current.kind == .name(name)
    }

    mutating func skipSymbol(_ symbol: String) -> Bool {
        guard isSymbol(symbol) else { return false }
        advance()
        return true
    }

    mutating func skipName(_ name: String) -> Bool {
        guard isName(name) else { return false }
        advance()
        return true
    }

    mutating func expectSymbol(_ symbol: String) throws {
        guard skipSymbol(symbol) else {
            throw error("expected '\(symbol)', found \(describe(current))")
        }
    }

    mutating func expectName() throws -> String {
        guard case .name(let name) = current.kind else {
            throw error("expected a name, found \(describe(current))")
        }
        advance()
        return name
    }

    mutating func expectStatementEnd(_ tag: String) throws {
        guard current.kind == .statementClose else {
            throw error("expected '%}' to end '\(tag)', found \(describe(current))")
        }
        advance()
    }

    func describe(_ token: TemplateToken) -> String {
        switch token.kind {
        case .text: return "template text"
        case .outputOpen: return "'{{'"
        case .outputClose: return "'}}'"
        case .statementOpen: return "'{%'"
        case .statementClose: return "'%}'"
        case .name(let name): return "'\(name)'"
        case .string(let s): return "string \(TemplateValue.pythonStringRepr(s))"
        case .integer(let i): return "number \(i)"
        case .float(let d): return "number \(d)"
        case .symbol(let s): return "'\(s)'"
        case .endOfInput: return "end of template"
        }
    }

    // MARK: - Statements

    /// Parses nodes until one of `ends` opens a statement tag; returns the
    /// nodes and the end tag's name (its `{%` and name consumed, the rest of
    /// the tag not).
    private mutating func parseBody(until ends: Set<String>, opener: (name: String, token: TemplateToken)?) throws -> ([TemplateNode], String) {
        var nodes: [TemplateNode] = []
        while true {
            let token = current
            switch token.kind {
            case .text(let text):
                nodes.append(.text(text))
                advance()
            case .outputOpen:
                advance()
                let expression = try parseExpression()
                guard current.kind == .outputClose else {
                    throw error("expected '}}' to end the expression, found \(describe(current))")
                }
                advance()
                nodes.append(.output(expression, token.location))
            case .statementOpen:
                advance()
                guard case .name(let keyword) = current.kind else {
                    throw error("expected a statement name after '{%', found \(describe(current))")
                }
                if ends.contains(keyword) {
                    advance()
                    return (nodes, keyword)
                }
                nodes.append(try parseStatement(keyword, openToken: token))
            case .endOfInput:
                if let opener {
                    let expected = ends.sorted().map { "'{% \($0) %}'" }.joined(separator: " or ")
                    throw error("unclosed '{% \(opener.name) %}' block: expected \(expected) before the end of the template", at: opener.token)
                }
                return (nodes, "")
            default:
                throw error("unexpected \(describe(token))")
            }
        }
    }

    private mutating func parseStatement(_ keyword: String, openToken: TemplateToken) throws -> TemplateNode {
        let location = openToken.location
        let nameToken = current
        advance()
        switch keyword {
        case "if":
            return try parseIf(openToken: openToken)
        case "for":
            return try parseFor(openToken: openToken)
        case "set":
            return try parseSet(openToken: openToken)
        case "macro":
            return try parseMacro(openToken: openToken)
        case "filter":
            let filter = try parseFilterCall()
            try expectStatementEnd("filter")
            let (body, _) = try parseBody(until: ["endfilter"], opener: ("filter", openToken))
            try expectStatementEnd("endfilter")
            return .filterBlock(filter, body: body, location)
        case "generation":
            try expectStatementEnd("generation")
            let (body, _) = try parseBody(until: ["endgeneration"], opener: ("generation", openToken))
            try expectStatementEnd("endgeneration")
            return .generation(body)
        case "break", "continue":
            guard loopDepth > 0 else { throw error("'\(keyword)' outside of a for loop", at: nameToken) }
            try expectStatementEnd(keyword)
            return keyword == "break" ? .breakLoop : .continueLoop
        case "elif", "else", "endif", "endfor", "endset", "endmacro", "endfilter", "endgeneration", "endraw":
            throw error("unexpected '{% \(keyword) %}' with no matching opening block", at: nameToken)
        default:
            throw error("unknown tag '\(keyword)'", at: nameToken)
        }
    }

    private mutating func parseIf(openToken: TemplateToken) throws -> TemplateNode {
        var branches: [TemplateBranch] = []
        var condition = try parseExpression()
        try expectStatementEnd("if")
        while true {
            let (body, end) = try parseBody(until: ["elif", "else", "endif"], opener: ("if", openToken))
            branches.append(TemplateBranch(condition: condition, body: body))
            switch end {
            case "elif":
                condition = try parseExpression()
                try expectStatementEnd("elif")
            case "else":
                try expectStatementEnd("else")
                let (otherwise, _) = try parseBody(until: ["endif"], opener: ("if", openToken))
                try expectStatementEnd("endif")
                return .conditional(branches: branches, otherwise: otherwise, openToken.location)
            default:
                try expectStatementEnd("endif")
                return .conditional(branches: branches, otherwise: [], openToken.location)
            }
        }
    }

    private mutating func parseFor(openToken: TemplateToken) throws -> TemplateNode {
        var targets: [String] = []
        let parenthesized = skipSymbol("(")
        repeat {
            targets.append(try expectName())
        } while skipSymbol(",")
        if parenthesized { try expectSymbol(")") }
        guard skipName("in") else { throw error("expected 'in' in for loop, found \(describe(current))") }
        let iterable = try parseExpression(allowConditional: false)
        var condition: TemplateExpression?
        if skipName("if") {
            condition = try parseExpression(allowConditional: false)
        }
        if isName("recursive") {
            throw error("recursive for loops are not supported")
        }
        try expectStatementEnd("for")
        loopDepth += 1
        let (body, end) = try parseBody(until: ["else", "endfor"], opener: ("for", openToken))
        loopDepth -= 1
        var otherwise: [TemplateNode] = []
        if end == "else" {
            try expectStatementEnd("else")
            (otherwise, _) = try parseBody(until: ["endfor"], opener: ("for", openToken))
        }
        try expectStatementEnd("endfor")
        return .loop(TemplateLoop(
            targets: targets, iterable: iterable, condition: condition, body: body, otherwise: otherwise,
            location: openToken.location
        ))
    }

    private mutating func parseSet(openToken: TemplateToken) throws -> TemplateNode {
        let first = try expectName()
        let target: TemplateAssignTarget
        if skipSymbol(".") {
            target = .attribute(object: first, attribute: try expectName())
        } else {
            var names = [first]
            while skipSymbol(",") { names.append(try expectName()) }
            target = .names(names)
        }
        if skipSymbol("=") {
            var value = try parseExpression()
            if case .names(let names) = target, names.count > 1, isSymbol(",") {
                var items = [value]
                while skipSymbol(",") { items.append(try parseExpression()) }
                value = .list(items)
            }
            try expectStatementEnd("set")
            return .assign(target, value, openToken.location)
        }
        guard case .names(let names) = target, names.count == 1 else {
            throw error("expected '=' in set statement, found \(describe(current))")
        }
        try expectStatementEnd("set")
        let (body, _) = try parseBody(until: ["endset"], opener: ("set", openToken))
        try expectStatementEnd("endset")
        return .assignBlock(name: names[0], body: body, openToken.location)
    }

    private mutating func parseMacro(openToken: TemplateToken) throws -> TemplateNode {
        let name = try expectName()
        var parameters: [TemplateParameter] = []
        try expectSymbol("(")
        if !isSymbol(")") {
            repeat {
                if isSymbol(")") { break }
                let parameter = try expectName()
                var defaultValue: TemplateExpression?
                if skipSymbol("=") { defaultValue = try parseExpression() }
                parameters.append(TemplateParameter(name: parameter, defaultValue: defaultValue))
            } while skipSymbol(",")
        }
        try expectSymbol(")")
        try expectStatementEnd("macro")
        let savedDepth = loopDepth
        loopDepth = 0
        let (body, _) = try parseBody(until: ["endmacro"], opener: ("macro", openToken))
        loopDepth = savedDepth
        _ = skipName(name)
        try expectStatementEnd("endmacro")
        return .macro(TemplateMacro(name: name, parameters: parameters, body: body, location: openToken.location))
    }
}
