/// A 1-based position in a template source.
struct TemplateLocation: Sendable, Equatable {
    let line: Int
    let column: Int
}

/// What the lexer produces: literal text between tags, tag delimiters, and the
/// tokens of the expressions inside tags.
enum TemplateTokenKind: Sendable, Equatable {
    case text(String)
    case outputOpen       // {{
    case outputClose      // }}
    case statementOpen    // {%
    case statementClose   // %}
    case name(String)
    case string(String)
    case integer(Int)
    case float(Double)
    case symbol(String)
    case endOfInput
}

struct TemplateToken: Sendable {
    let kind: TemplateTokenKind
    let location: TemplateLocation
}
