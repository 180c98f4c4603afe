/// Statement AST of the Jinja subset.
indirect enum TemplateNode: Sendable {
    case text(String)
    case output(TemplateExpression, TemplateLocation)
    case conditional(branches: [TemplateBranch], otherwise: [TemplateNode], TemplateLocation)
    case loop(TemplateLoop)
    case assign(TemplateAssignTarget, TemplateExpression, TemplateLocation)
    case assignBlock(name: String, body: [TemplateNode], TemplateLocation)
    case macro(TemplateMacro)
    case filterBlock(TemplateFilterCall, body: [TemplateNode], TemplateLocation)
    /// `{% generation %}` (Hugging Face's assistant-mask marker): renders its body.
    case generation([TemplateNode])
    case breakLoop
    case continueLoop
}

struct TemplateBranch: Sendable {
    let condition: TemplateExpression
    let body: [TemplateNode]
}

struct TemplateLoop: Sendable {
    let targets: [String]
    let iterable: TemplateExpression
    let condition: TemplateExpression?
    let body: [TemplateNode]
    let otherwise: [TemplateNode]
    let location: TemplateLocation
}

enum TemplateAssignTarget: Sendable {
    case names([String])
    case attribute(object: String, attribute: String)
}

struct TemplateParameter: Sendable {
    let name: String
    let defaultValue: TemplateExpression?
}

struct TemplateMacro: Sendable {
    let name: String
    let parameters: [TemplateParameter]
    let body: [TemplateNode]
    let location: TemplateLocation
}
