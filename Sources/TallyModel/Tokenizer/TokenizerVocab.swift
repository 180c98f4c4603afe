/// Everything a tokenizer needs to know about a model's vocabulary, as stored in GGUF
/// (`tokenizer.ggml.*`). Plain data: `Tokenizer(vocab:)` validates it and builds the lookup tables.
public struct TokenizerVocab: Sendable, Equatable {
    /// The tokenizer algorithm (`tokenizer.ggml.model`).
    public enum ModelKind: String, Sendable, Equatable {
        /// Byte-level BPE with merges (GGUF `gpt2`).
        case bpe
        /// SentencePiece-style score-driven bigram merging with byte fallback (GGUF `llama`).
        case sentencePiece
    }

    /// How byte-level BPE splits text into words before merging (`tokenizer.ggml.pre`),
    /// following llama.cpp's pre-tokenizer regexes.
    public enum PreTokenizer: String, Sendable, Equatable, CaseIterable {
        /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
        case gpt2
        /// Every `\p{N}` split off alone, then the gpt-2 pattern (starcoder, smollm, refact, …).
        case smollm
        /// The Llama 3 pattern, digits in groups of up to three; merges are skipped for words
        /// that are whole tokens.
        case llama3
        /// The Llama 3 pattern with single digits.
        case qwen2
        /// llama.cpp's fallback: `[\p{P}\$\+<=>\^~\|]+`, then the gpt-2 pattern, then `\p{N}+`,
        /// then `[0-9][0-9][0-9]`.
        case `default`

        /// GGUF `tokenizer.ggml.pre` names and the pre-tokenizer llama.cpp uses for each.
        static let namesByGGUF: [String: PreTokenizer] = [
            "default": .default,
            "gpt-2": .gpt2, "phi-2": .gpt2, "mpt": .gpt2, "olmo": .gpt2, "jais": .gpt2,
            "trillion": .gpt2, "gigachat": .gpt2, "mellum": .gpt2, "a.x-4.0": .gpt2,
            "jina-es": .gpt2, "jina-de": .gpt2, "jina-v2-es": .gpt2, "jina-v2-de": .gpt2,
            "smollm": .smollm, "starcoder": .smollm, "refact": .smollm, "command-r": .smollm,
            "codeshell": .smollm, "exaone": .smollm, "minerva": .smollm, "mellum2": .smollm,
            "llama3": .llama3, "llama-v3": .llama3, "llama-bpe": .llama3, "falcon3": .llama3,
            "falcon-h1": .llama3, "pixtral": .llama3, "midm-2.0": .llama3, "lfm2": .llama3,
            "qwen2": .qwen2, "deepseek-r1-qwen": .qwen2, "stablelm2": .qwen2, "kormo": .qwen2,
            "f2llmv2": .qwen2,
        ]

        static var supportedNames: [String] { namesByGGUF.keys.sorted() }

        /// The pre-tokenizer for a GGUF `tokenizer.ggml.pre` value; throws for names Tally
        /// does not implement. An absent or empty name means `default`, as in llama.cpp.
        public init(ggufName: String?) throws {
            guard let name = ggufName, !name.isEmpty else {
                self = .default
                return
            }
            guard let pre = Self.namesByGGUF[name] else {
                throw TokenizerError.unknownPreTokenizer(name)
            }
            self = pre
        }

        /// Whether a word that is itself a token skips merging (llama.cpp's `ignore_merges`).
        var ignoresMerges: Bool { self == .llama3 }
    }

    /// GGUF token types (`tokenizer.ggml.token_type`), as llama.cpp defines them.
    public enum TokenType {
        public static let undefined: Int32 = 0
        public static let normal: Int32 = 1
        public static let unknown: Int32 = 2
        public static let control: Int32 = 3
        public static let userDefined: Int32 = 4
        public static let unused: Int32 = 5
        public static let byte: Int32 = 6
    }

    public var model: ModelKind
    public var preTokenizer: PreTokenizer
    /// Token texts, indexed by token id.
    public var tokens: [String]
    /// SentencePiece scores (higher merges first); nil when the model has none.
    public var scores: [Float]?
    /// GGUF token types (see `TokenType`); nil means every token is normal.
    public var tokenTypes: [Int32]?
    /// BPE merges, `"left right"`, in rank order.
    public var merges: [String]?
    public var bosID: Int32?
    public var eosID: Int32?
    public var unkID: Int32?
    public var padID: Int32?
    /// End-of-turn token (`tokenizer.ggml.eot_token_id`), when the model names one.
    public var eotID: Int32?
    /// End-of-message token (`tokenizer.ggml.eom_token_id`), when the model names one.
    public var eomID: Int32?
    /// Whether `encode` prepends BOS by default.
    public var addBOS: Bool
    /// Whether `encode` appends EOS by default.
    public var addEOS: Bool
    /// SentencePiece: prepend a space (`▁`) to text that starts the input or follows a special token.
    public var addSpacePrefix: Bool

    public init(
        model: ModelKind,
        preTokenizer: PreTokenizer = .default,
        tokens: [String],
        scores: [Float]? = nil,
        tokenTypes: [Int32]? = nil,
        merges: [String]? = nil,
        bosID: Int32? = nil,
        eosID: Int32? = nil,
        unkID: Int32? = nil,
        padID: Int32? = nil,
        eotID: Int32? = nil,
        eomID: Int32? = nil,
        addBOS: Bool = false,
        addEOS: Bool = false,
        addSpacePrefix: Bool = false
    ) {
        self.model = model
        self.preTokenizer = preTokenizer
        self.tokens = tokens
        self.scores = scores
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.bosID = bosID
        self.eosID = eosID
        self.unkID = unkID
        self.padID = padID
        self.eotID = eotID
        self.eomID = eomID
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.addSpacePrefix = addSpacePrefix
    }
}
