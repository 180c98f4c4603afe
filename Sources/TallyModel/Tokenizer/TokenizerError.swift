/// Errors raised while building a tokenizer from a vocabulary or from GGUF metadata.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `tokenizer.ggml.model` names a tokenizer Tally does not implement.
    case unknownModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer Tally does not implement.
    case unknownPreTokenizer(String)
    /// A required metadata key is absent.
    case missingMetadata(key: String)
    /// A metadata key is present but has the wrong type or an unusable value.
    case invalidMetadata(key: String, reason: String)
    /// The vocabulary has no tokens.
    case emptyVocabulary
    /// A per-token array (scores, token types) does not cover every token.
    case lengthMismatch(field: String, expected: Int, actual: Int)
    /// Two tokens have the same text (llama.cpp refuses such vocabularies too).
    case duplicateToken(text: String, firstID: Int, secondID: Int)
    /// A special-token id lies outside the vocabulary.
    case tokenIDOutOfRange(name: String, id: Int32, vocabSize: Int)
    /// A byte-level BPE vocabulary without merges.
    case missingMerges
    /// The vocabulary asks for BOS/EOS to be added but has no such token.
    case missingSpecialToken(name: String)

    public var description: String {
        switch self {
        case .unknownModel(let name):
            return "unknown tokenizer model '\(name)' (supported: 'gpt2' byte-level BPE, 'llama' SentencePiece)"
        case .unknownPreTokenizer(let name):
            return "unknown pre-tokenizer type '\(name)' (supported: \(TokenizerVocab.PreTokenizer.supportedNames.joined(separator: ", ")))"
        case .missingMetadata(let key):
            return "GGUF metadata key '\(key)' is missing"
        case .invalidMetadata(let key, let reason):
            return "GGUF metadata key '\(key)' is invalid: \(reason)"
        case .emptyVocabulary:
            return "the tokenizer vocabulary is empty"
        case .lengthMismatch(let field, let expected, let actual):
            return "tokenizer \(field) has \(actual) entries but the vocabulary has \(expected) tokens"
        case .duplicateToken(let text, let firstID, let secondID):
            return "duplicate token in vocabulary: '\(text)' has ids \(firstID) and \(secondID)"
        case .tokenIDOutOfRange(let name, let id, let vocabSize):
            return "\(name) token id \(id) is outside the vocabulary (size \(vocabSize))"
        case .missingMerges:
            return "a byte-level BPE vocabulary needs merges (tokenizer.ggml.merges)"
        case .missingSpecialToken(let name):
            return "the vocabulary asks to add a \(name) token but has no \(name) token id"
        }
    }
}
