/// llama.cpp's per-token attributes (`llama_token_attr`), derived from the GGUF token types
/// and then adjusted by token text the way llama.cpp's vocabulary loader does.
struct TokenAttributes: OptionSet, Sendable {
    let rawValue: UInt8

    static let unknown = TokenAttributes(rawValue: 1 << 0)
    static let unused = TokenAttributes(rawValue: 1 << 1)
    static let normal = TokenAttributes(rawValue: 1 << 2)
    static let control = TokenAttributes(rawValue: 1 << 3)
    static let userDefined = TokenAttributes(rawValue: 1 << 4)
    static let byte = TokenAttributes(rawValue: 1 << 5)

    /// Tokens the special-token partition looks for.
    static let special: TokenAttributes = [.control, .userDefined, .unknown]
    /// Tokens matched in text only when special tokens are parsed, and rendered only on request.
    static let controlOrUnknown: TokenAttributes = [.control, .unknown]

    /// The attributes of a GGUF token type (`TokenizerVocab.TokenType`).
    init(tokenType: Int32) {
        switch tokenType {
        case TokenizerVocab.TokenType.normal: self = .normal
        case TokenizerVocab.TokenType.unknown: self = .unknown
        case TokenizerVocab.TokenType.control: self = .control
        case TokenizerVocab.TokenType.userDefined: self = .userDefined
        case TokenizerVocab.TokenType.unused: self = .unused
        case TokenizerVocab.TokenType.byte: self = .byte
        default: self = []
        }
    }

    init(rawValue: UInt8) {
        self.rawValue = rawValue
    }
}
