/// A chat template: the Jinja program a model ships (GGUF `tokenizer.chat_template`,
/// Hugging Face `tokenizer_config.json` `chat_template`) that turns OpenAI-style
/// messages into the exact prompt text the model was trained on.
///
/// The source is parsed once, in `init(source:)`; a template this Jinja subset
/// cannot parse throws a `ChatTemplateError.syntax` naming the line and column,
/// so callers never render a malformed template into garbage. Rendering uses
/// the semantics of Hugging Face's chat-template environment (`trim_blocks`
/// and `lstrip_blocks` on, undefined values print as empty, `tojson` without
/// key sorting, `raise_exception` and `strftime_now` as globals).
public struct ChatTemplate: Sendable {
    /// The template text as given.
    public let source: String
    private let nodes: [TemplateNode]

    /// Parses `source`. Throws `ChatTemplateError.syntax` on malformed input
    /// (unclosed tags or blocks, unknown tags, filters or tests, bad expressions).
    public init(source: String) throws {
        self.source = source
        self.nodes = try TemplateParser.parse(source)
    }

    /// Renders the conversation. The template sees `messages` (a list of
    /// `{role, content}` dicts), `add_generation_prompt`, `bos_token` and
    /// `eos_token`; any other variable (`tools`, `date_string`, ...) is undefined.
    ///
    /// Throws `ChatTemplateError.raised` when the template calls
    /// `raise_exception` (for example on a role order the model does not
    /// support), or `.render` on a runtime error such as a type mismatch.
    public func render(messages: [ChatMessage], addGenerationPrompt: Bool, bosToken: String, eosToken: String) throws -> String {
        try render(variables: [
            "messages": .list(messages.map { message in
                .dict(TemplateDict([("role", .string(message.role)), ("content", .string(message.content))]))
            }),
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
        ])
    }

    /// Renders with an explicit variable set (globals such as `range` and
    /// `raise_exception` are always present unless shadowed).
    func render(variables: [String: TemplateValue]) throws -> String {
        try TemplateRenderer(variables: variables).render(nodes)
    }

    /// The template `chatMLFallback` is parsed from.
    public static let chatMLFallbackSource = """
        {%- for message in messages -%}
        {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}
        {%- endfor -%}
        {%- if add_generation_prompt -%}
        {{- '<|im_start|>assistant\\n' -}}
        {%- endif -%}
        """

    /// A plain ChatML template (`<|im_start|>role\ncontent<|im_end|>\n` per
    /// message, then `<|im_start|>assistant\n` when a generation prompt is
    /// asked for), with no default system prompt.
    ///
    /// Callers use it only when a model carries no chat template at all
    /// (`ChatTemplate.resolve(ggufTemplate: nil)`); a template that is present
    /// but does not parse is reported as an error instead.
    public static let chatMLFallback: ChatTemplate = {
        do {
            return try ChatTemplate(source: chatMLFallbackSource)
        } catch {
            preconditionFailure("the built-in ChatML template must parse: \(error)")
        }
    }()

    /// The template for a model: its own when it has one (parse errors
    /// propagate), `chatMLFallback` when `ggufTemplate` is nil or blank.
    public static func resolve(ggufTemplate: String?) throws -> ChatTemplate {
        guard let ggufTemplate, ggufTemplate.contains(where: { !$0.isWhitespace }) else {
            return chatMLFallback
        }
        return try ChatTemplate(source: ggufTemplate)
    }
}
