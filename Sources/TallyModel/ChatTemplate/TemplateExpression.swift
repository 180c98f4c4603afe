/// Expression AST of the Jinja subset.
indirect enum TemplateExpression: Sendable {
    case literal(TemplateValue)
    case list([TemplateExpression])
    case dict([TemplateDictEntry])
    case variable(String)
    case attribute(TemplateExpression, String)
    case item(TemplateExpression, TemplateExpression)
    case slice(TemplateExpression, start: TemplateExpression?, stop: TemplateExpression?, step: TemplateExpression?)
    case unary(TemplateUnaryOperator, TemplateExpression)
    case binary(TemplateBinaryOperator, TemplateExpression, TemplateExpression)
    case test(TemplateExpression, TemplateTestCall)
    case filter(TemplateExpression, TemplateFilterCall)
    case call(TemplateExpression, TemplateArguments)
    case conditional(condition: TemplateExpression, then: TemplateExpression, otherwise: TemplateExpression?)
}

struct TemplateDictEntry: Sendable {
    let key: TemplateExpression
    let value: TemplateExpression
}

struct TemplateKeywordArgument: Sendable {
    let name: String
    let value: TemplateExpression
}

struct TemplateArguments: Sendable {
    var positional: [TemplateExpression] = []
    var keyword: [TemplateKeywordArgument] = []
}

struct TemplateFilterCall: Sendable {
    let name: String
    let arguments: TemplateArguments
}

struct TemplateTestCall: Sendable {
    let name: String
    let arguments: [TemplateExpression]
    let negated: Bool
}

enum TemplateUnaryOperator: Sendable {
    case not
    case negate
    case plus
}

enum TemplateBinaryOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case floorDivide = "//"
    case modulo = "%"
    case power = "**"
    case concat = "~"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
    case contains = "in"
    case notContains = "not in"
    case and = "and"
    case or = "or"
}
