/// An error raised while parsing or rendering a chat template.
///
/// Parsing never produces silent garbage: a template that is not valid for
/// this Jinja subset throws `.syntax` from `ChatTemplate.init(source:)`.
public enum ChatTemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The template source is malformed; `line` and `column` are 1-based.
    case syntax(message: String, line: Int, column: Int)
    /// Rendering failed (a type error, an undefined callable, a bad argument);
    /// `line` and `column` locate the tag being rendered.
    case render(message: String, line: Int, column: Int)
    /// The template called `raise_exception(message)`, typically because the
    /// conversation does not fit the model (bad role order, system message
    /// not supported, ...).
    case raised(message: String)

    /// The cause, without position information.
    public var message: String {
        switch self {
        case .syntax(let message, _, _), .render(let message, _, _), .raised(let message):
            return message
        }
    }

    public var description: String {
        switch self {
        case .syntax(let message, let line, let column):
            return "chat template syntax error at line \(line), column \(column): \(message)"
        case .render(let message, let line, let column):
            return "chat template render error at line \(line), column \(column): \(message)"
        case .raised(let message):
            return "chat template raised an exception: \(message)"
        }
    }
}

/// A failure inside expression evaluation; the renderer attaches the location
/// of the enclosing tag and rethrows it as `ChatTemplateError.render`.
struct TemplateRuntimeError: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}
