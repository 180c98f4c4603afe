extension TokenizerVocab {
    /// GGUF metadata keys of the tokenizer.
    enum Key {
        static let model = "tokenizer.ggml.model"
        static let pre = "tokenizer.ggml.pre"
        static let tokens = "tokenizer.ggml.tokens"
        static let scores = "tokenizer.ggml.scores"
        static let tokenTypes = "tokenizer.ggml.token_type"
        static let merges = "tokenizer.ggml.merges"
        static let bosID = "tokenizer.ggml.bos_token_id"
        static let eosID = "tokenizer.ggml.eos_token_id"
        static let unkID = "tokenizer.ggml.unknown_token_id"
        static let padID = "tokenizer.ggml.padding_token_id"
        static let eotID = "tokenizer.ggml.eot_token_id"
        static let eomID = "tokenizer.ggml.eom_token_id"
        static let addBOS = "tokenizer.ggml.add_bos_token"
        static let addEOS = "tokenizer.ggml.add_eos_token"
        static let addSpacePrefix = "tokenizer.ggml.add_space_prefix"
    }

    /// The vocabulary described by a GGUF file's `tokenizer.ggml.*` metadata, with llama.cpp's
    /// defaults for absent keys (SentencePiece: BOS 1, EOS 2, UNK 0, add BOS, add a space
    /// prefix; BPE: BOS = EOS = 11, add BOS only for the Llama 3 pre-tokenizer).
    public init(metadata: GGUFMetadata) throws {
        let modelName = try Self.requiredString(metadata, Key.model)
        let model: ModelKind
        switch modelName {
        case "gpt2": model = .bpe
        case "llama": model = .sentencePiece
        default: throw TokenizerError.unknownModel(modelName)
        }

        guard let tokens = metadata.stringArray(Key.tokens) else {
            if metadata[Key.tokens] == nil { throw TokenizerError.missingMetadata(key: Key.tokens) }
            throw TokenizerError.invalidMetadata(key: Key.tokens, reason: "expected an array of strings")
        }
        guard !tokens.isEmpty else { throw TokenizerError.emptyVocabulary }

        var scores: [Float]?
        if metadata[Key.scores] != nil {
            guard let values = metadata.floatArray(Key.scores) else {
                throw TokenizerError.invalidMetadata(key: Key.scores, reason: "expected an array of numbers")
            }
            guard values.count >= tokens.count else {
                throw TokenizerError.lengthMismatch(field: "scores", expected: tokens.count, actual: values.count)
            }
            scores = values
        }

        var tokenTypes: [Int32]?
        if metadata[Key.tokenTypes] != nil {
            guard let values = metadata.intArray(Key.tokenTypes) else {
                throw TokenizerError.invalidMetadata(key: Key.tokenTypes, reason: "expected an array of integers")
            }
            guard values.count >= tokens.count else {
                throw TokenizerError.lengthMismatch(field: "token types", expected: tokens.count, actual: values.count)
            }
            tokenTypes = values.map { Int32(clamping: $0) }
        }

        var preTokenizer = PreTokenizer.default
        var merges: [String]?
        if model == .bpe {
            var preName: String?
            if metadata[Key.pre] != nil {
                preName = try Self.requiredString(metadata, Key.pre)
            }
            preTokenizer = try PreTokenizer(ggufName: preName)
            guard let values = metadata.stringArray(Key.merges) else {
                if metadata[Key.merges] == nil { throw TokenizerError.missingMetadata(key: Key.merges) }
                throw TokenizerError.invalidMetadata(key: Key.merges, reason: "expected an array of strings")
            }
            merges = values
        }

        // llama.cpp's defaults, replaced by the file's ids when those are in range.
        let defaults: (bos: Int32?, eos: Int32?, unk: Int32?) = model == .sentencePiece ? (1, 2, 0) : (11, 11, nil)
        func tokenID(_ key: String, default fallback: Int32?) throws -> Int32? {
            let inRange = fallback.flatMap { $0 >= 0 && Int($0) < tokens.count ? $0 : nil }
            guard metadata[key] != nil else { return inRange }
            guard let value = metadata.int(key) else {
                throw TokenizerError.invalidMetadata(key: key, reason: "expected an integer token id")
            }
            guard value >= 0 && value < tokens.count else { return inRange }
            return Int32(value)
        }
        func flag(_ key: String, default fallback: Bool) throws -> Bool {
            guard metadata[key] != nil else { return fallback }
            guard let value = metadata.bool(key) else {
                throw TokenizerError.invalidMetadata(key: key, reason: "expected a bool")
            }
            return value
        }

        self.init(
            model: model,
            preTokenizer: preTokenizer,
            tokens: tokens,
            scores: scores,
            tokenTypes: tokenTypes,
            merges: merges,
            bosID: try tokenID(Key.bosID, default: defaults.bos),
            eosID: try tokenID(Key.eosID, default: defaults.eos),
            unkID: try tokenID(Key.unkID, default: defaults.unk),
            padID: try tokenID(Key.padID, default: nil),
            eotID: try tokenID(Key.eotID, default: nil),
            eomID: try tokenID(Key.eomID, default: nil),
            addBOS: try flag(Key.addBOS, default: model == .sentencePiece || preTokenizer == .llama3),
            addEOS: try flag(Key.addEOS, default: false),
            addSpacePrefix: try flag(Key.addSpacePrefix, default: model == .sentencePiece)
        )
    }

    private static func requiredString(_ metadata: GGUFMetadata, _ key: String) throws -> String {
        guard let value = metadata.string(key) else {
            if metadata[key] == nil { throw TokenizerError.missingMetadata(key: key) }
            throw TokenizerError.invalidMetadata(key: key, reason: "expected a string")
        }
        return value
    }
}
