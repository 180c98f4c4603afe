/// Splits a template source into text and tag tokens, applying the whitespace
/// rules of Hugging Face's chat-template environment:
///
/// - `trim_blocks`: the first newline after a block tag (`%}`) or comment is removed;
/// - `lstrip_blocks`: spaces and tabs between the start of a line and a block
///   tag or comment are removed (not for `{%+`);
/// - `{%-`, `{{-`, `{#-` strip all whitespace before the tag, `-%}`, `-}}`,
///   `-#}` all whitespace after it;
/// - newlines are normalized to `\n` and one trailing newline of the source
///   is dropped (`keep_trailing_newline` off).
struct TemplateLexer {
    private let scalars: [Unicode.Scalar]
    private let lineStarts: [Int]
    private var tokens: [TemplateToken] = []

    private static let symbols: [String] = [
        "//", "**", "==", "!=", "<=", ">=",
        "+", "-", "*", "/", "%", "~", "|", ".", ",", ":", "(", ")", "[", "]", "{", "}", "=", "<", ">",
    ]

    static func tokenize(_ source: String) throws -> [TemplateToken] {
        var lexer = TemplateLexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    private init(source: String) {
        var normalized: [Unicode.Scalar] = []
        normalized.reserveCapacity(source.unicodeScalars.count)
        var previousWasCarriageReturn = false
        for scalar in source.unicodeScalars {
            if scalar == "\r" {
                normalized.append("\n")
                previousWasCarriageReturn = true
                continue
            }
            if scalar == "\n" && previousWasCarriageReturn {
                previousWasCarriageReturn = false
                continue
            }
            previousWasCarriageReturn = false
            normalized.append(scalar)
        }
        if normalized.last == "\n" {
            normalized.removeLast()
        }
        var starts = [0]
        for (index, scalar) in normalized.enumerated() where scalar == "\n" {
            starts.append(index + 1)
        }
        scalars = normalized
        lineStarts = starts
    }

    // MARK: - Positions

    private func location(_ index: Int) -> TemplateLocation {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return TemplateLocation(line: low + 1, column: index - lineStarts[low] + 1)
    }

    private func syntaxError(_ message: String, at index: Int) -> ChatTemplateError {
        let where_ = location(index)
        return .syntax(message: message, line: where_.line, column: where_.column)
    }

    private func scalar(at index: Int) -> Unicode.Scalar? {
        index < scalars.count ? scalars[index] : nil
    }

    private func string(_ range: Range<Int>) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[range])
        return String(result)
    }

    private func matches(_ literal: String, at index: Int) -> Bool {
        var position = index
        for expected in literal.unicodeScalars {
            guard position < scalars.count, scalars[position] == expected else { return false }
            position += 1
        }
        return true
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace
    }

    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || (scalar.isASCII && scalar.properties.isAlphabetic)
    }

    private static func isNameContinue(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }

    // MARK: - Template level

    private mutating func run() throws {
        var position = 0
        let count = scalars.count
        while position < count {
            let textStart = position
            let opener = findOpener(from: position)
            var textEnd = opener
            if opener < count {
                let kind = scalars[opener + 1]
                let modifier = scalar(at: opener + 2)
                if modifier == "-" {
                    while textEnd > textStart && Self.isWhitespace(scalars[textEnd - 1]) { textEnd -= 1 }
                } else if (kind == "%" || kind == "#") && modifier != "+" {
                    var lineBegin = textEnd
                    while lineBegin > textStart && (scalars[lineBegin - 1] == " " || scalars[lineBegin - 1] == "\t") {
                        lineBegin -= 1
                    }
                    if lineBegin == 0 || scalars[lineBegin - 1] == "\n" {
                        textEnd = lineBegin
                    }
                }
            }
            if textEnd > textStart {
                tokens.append(TemplateToken(kind: .text(string(textStart..<textEnd)), location: location(textStart)))
            }
            if opener >= count { break }
            position = try lexTag(at: opener)
        }
        tokens.append(TemplateToken(kind: .endOfInput, location: location(count)))
    }

    private func findOpener(from start: Int) -> Int {
        var index = start
        while index + 1 < scalars.count {
            if scalars[index] == "{" {
                let next = scalars[index + 1]
                if next == "{" || next == "%" || next == "#" { return index }
            }
            index += 1
        }
        return scalars.count
    }

    /// Skips what a tag's closing delimiter removes after it.
    private func skipAfterTag(_ position: Int, stripAll: Bool, trimNewline: Bool) -> Int {
        var index = position
        if stripAll {
            while index < scalars.count && Self.isWhitespace(scalars[index]) { index += 1 }
        } else if trimNewline && scalar(at: index) == "\n" {
            index += 1
        }
        return index
    }

    /// Lexes the tag starting at `start` (which points at `{`); returns the
    /// position where the following text begins.
    private mutating func lexTag(at start: Int) throws -> Int {
        let kind = scalars[start + 1]
        var position = start + 2
        if let modifier = scalar(at: position), modifier == "-" || modifier == "+" { position += 1 }

        switch kind {
        case "#":
            var index = position
            while index + 1 < scalars.count && !(scalars[index] == "#" && scalars[index + 1] == "}") { index += 1 }
            guard index + 1 < scalars.count else {
                throw syntaxError("unclosed comment: '{#' has no matching '#}'", at: start)
            }
            let stripAfter = index - 1 >= position && scalars[index - 1] == "-"
            return skipAfterTag(index + 2, stripAll: stripAfter, trimNewline: true)
        case "{":
            tokens.append(TemplateToken(kind: .outputOpen, location: location(start)))
            let close = try lexInside(from: position, closer: "}", opener: start)
            tokens.append(TemplateToken(kind: .outputClose, location: location(close.tokenStart)))
            return skipAfterTag(close.end, stripAll: close.strip, trimNewline: false)
        default:
            if let afterRaw = try lexRaw(openerStart: start, afterModifier: position) {
                return afterRaw
            }
            tokens.append(TemplateToken(kind: .statementOpen, location: location(start)))
            let close = try lexInside(from: position, closer: "%", opener: start)
            tokens.append(TemplateToken(kind: .statementClose, location: location(close.tokenStart)))
            return skipAfterTag(close.end, stripAll: close.strip, trimNewline: !close.plus)
        }
    }

    /// `{% raw %}...{% endraw %}`: the content is emitted as text, unparsed.
    private mutating func lexRaw(openerStart: Int, afterModifier: Int) throws -> Int? {
        var index = afterModifier
        while let s = scalar(at: index), Self.isWhitespace(s) { index += 1 }
        guard matches("raw", at: index), !(scalar(at: index + 3).map(Self.isNameContinue) ?? false) else { return nil }
        index += 3
        while let s = scalar(at: index), Self.isWhitespace(s) { index += 1 }
        var stripContentStart = false
        if scalar(at: index) == "-" {
            stripContentStart = true
            index += 1
        }
        guard matches("%}", at: index) else { return nil }
        let contentStart = skipAfterTag(index + 2, stripAll: stripContentStart, trimNewline: true)

        var search = contentStart
        while search + 1 < scalars.count {
            if scalars[search] == "{" && scalars[search + 1] == "%" {
                var probe = search + 2
                var stripContentEnd = false
                if let modifier = scalar(at: probe), modifier == "-" || modifier == "+" {
                    stripContentEnd = modifier == "-"
                    probe += 1
                }
                while let s = scalar(at: probe), Self.isWhitespace(s) { probe += 1 }
                if matches("endraw", at: probe) {
                    probe += 6
                    while let s = scalar(at: probe), Self.isWhitespace(s) { probe += 1 }
                    var stripAfter = false
                    if scalar(at: probe) == "-" {
                        stripAfter = true
                        probe += 1
                    }
                    if matches("%}", at: probe) {
                        var contentEnd = search
                        if stripContentEnd {
                            while contentEnd > contentStart && Self.isWhitespace(scalars[contentEnd - 1]) { contentEnd -= 1 }
                        }
                        if contentEnd > contentStart {
                            tokens.append(TemplateToken(kind: .text(string(contentStart..<contentEnd)), location: location(contentStart)))
                        }
                        return skipAfterTag(probe + 2, stripAll: stripAfter, trimNewline: true)
                    }
                }
            }
            search += 1
        }
        throw syntaxError("unclosed '{% raw %}' block: missing '{% endraw %}'", at: openerStart)
    }

    // MARK: - Inside tags

    private struct TagClose {
        let tokenStart: Int
        let end: Int
        let strip: Bool
        let plus: Bool
    }

    private mutating func lexInside(from start: Int, closer: Unicode.Scalar, opener: Int) throws -> TagClose {
        var position = start
        var braceDepth = 0
        let tagName = closer == "}" ? "{{" : "{%"
        let closeName = closer == "}" ? "}}" : "%}"
        while true {
            while let s = scalar(at: position), Self.isWhitespace(s) { position += 1 }
            guard let current = scalar(at: position) else {
                throw syntaxError("unclosed tag: '\(tagName)' has no matching '\(closeName)'", at: opener)
            }
            if braceDepth == 0 {
                if (current == "-" || (current == "+" && closer == "%")) && scalar(at: position + 1) == closer && scalar(at: position + 2) == "}" {
                    return TagClose(tokenStart: position, end: position + 3, strip: current == "-", plus: current == "+")
                }
                if current == closer && scalar(at: position + 1) == "}" {
                    return TagClose(tokenStart: position, end: position + 2, strip: false, plus: false)
                }
            }
            if current == "{" && (scalar(at: position + 1) == "{" || scalar(at: position + 1) == "%") && braceDepth == 0 {
                throw syntaxError("unclosed tag: '\(tagName)' has no matching '\(closeName)' before the next tag", at: opener)
            }
            let tokenStart = position
            if Self.isNameStart(current) {
                while let s = scalar(at: position), Self.isNameContinue(s) { position += 1 }
                tokens.append(TemplateToken(kind: .name(string(tokenStart..<position)), location: location(tokenStart)))
            } else if Self.isDigit(current) {
                position = try lexNumber(from: position)
            } else if current == "'" || current == "\"" {
                position = try lexString(from: position)
            } else if let symbol = Self.symbols.first(where: { matches($0, at: position) }) {
                if symbol == "{" { braceDepth += 1 }
                if symbol == "}" { braceDepth = max(0, braceDepth - 1) }
                position += symbol.unicodeScalars.count
                tokens.append(TemplateToken(kind: .symbol(symbol), location: location(tokenStart)))
            } else {
                throw syntaxError("unexpected character '\(Character(current))' inside '\(tagName)' tag", at: position)
            }
        }
    }

    private mutating func lexNumber(from start: Int) throws -> Int {
        var position = start
        var isFloat = false
        while let s = scalar(at: position), Self.isDigit(s) || s == "_" { position += 1 }
        if scalar(at: position) == ".", let next = scalar(at: position + 1), Self.isDigit(next) {
            isFloat = true
            position += 1
            while let s = scalar(at: position), Self.isDigit(s) || s == "_" { position += 1 }
        }
        if let e = scalar(at: position), e == "e" || e == "E" {
            var probe = position + 1
            if let sign = scalar(at: probe), sign == "+" || sign == "-" { probe += 1 }
            if let digit = scalar(at: probe), Self.isDigit(digit) {
                isFloat = true
                position = probe
                while let s = scalar(at: position), Self.isDigit(s) { position += 1 }
            }
        }
        let text = String(string(start..<position).filter { $0 != "_" })
        if isFloat {
            guard let value = Double(text) else { throw syntaxError("invalid number '\(text)'", at: start) }
            tokens.append(TemplateToken(kind: .float(value), location: location(start)))
        } else {
            guard let value = Int(text) else { throw syntaxError("integer '\(text)' out of range", at: start) }
            tokens.append(TemplateToken(kind: .integer(value), location: location(start)))
        }
        return position
    }

    private mutating func lexString(from start: Int) throws -> Int {
        let quote = scalars[start]
        var position = start + 1
        var value = String.UnicodeScalarView()
        while true {
            guard let current = scalar(at: position) else {
                throw syntaxError("unterminated string literal", at: start)
            }
            if current == quote {
                position += 1
                break
            }
            if current == "\\" {
                guard let escaped = scalar(at: position + 1) else {
                    throw syntaxError("unterminated string literal", at: start)
                }
                position += 2
                switch escaped {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "r": value.append("\r")
                case "0": value.append("\0")
                case "a": value.append("\u{07}")
                case "b": value.append("\u{08}")
                case "f": value.append("\u{0C}")
                case "v": value.append("\u{0B}")
                case "\\", "'", "\"": value.append(escaped)
                case "\n": break
                case "x", "u", "U":
                    let digits = escaped == "x" ? 2 : (escaped == "u" ? 4 : 8)
                    let hex = position + digits <= scalars.count ? string(position..<(position + digits)) : ""
                    guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                        throw syntaxError("invalid \\\(Character(escaped)) escape in string literal", at: position - 2)
                    }
                    value.append(decoded)
                    position += digits
                default:
                    value.append("\\")
                    value.append(escaped)
                }
                continue
            }
            value.append(current)
            position += 1
        }
        tokens.append(TemplateToken(kind: .string(String(value)), location: location(start)))
        return position
    }
}
