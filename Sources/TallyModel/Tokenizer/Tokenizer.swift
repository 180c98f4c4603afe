/// Text ↔ token ids for a model's vocabulary, token-identical to llama.cpp: byte-level BPE
/// (GGUF `gpt2`) or SentencePiece-style (GGUF `llama`), with special tokens split out first.
///
/// Immutable after init, so one instance can be shared by any number of concurrent requests.
public final class Tokenizer: Sendable {
    public let vocab: TokenizerVocab
    /// Every token that ends generation: EOS, EOT/EOM and llama.cpp's end-of-turn texts
    /// (`<|im_end|>`, `<|eot_id|>`, `<|end|>`, `<end_of_turn>`, `<|endoftext|>`, …).
    public let endOfGenerationIDs: Set<Int32>

    let attributes: [TokenAttributes]
    /// UTF-8 of each token's text.
    let tokenBytes: [[UInt8]]
    let tokenForText: [[UInt8]: Int32]
    /// Each token's bytes when decoded, special tokens rendered as their text.
    let pieces: [[UInt8]]
    /// Control, user-defined and unknown tokens, longest text first (llama.cpp's special-token cache).
    let specialTokens: [Int32]
    /// `specialTokens` grouped by the first byte of their text, in the same order.
    let specialTokensByFirstByte: [[Int32]]
    let engine: Engine

    enum Engine: Sendable {
        case bytePair(BytePairEncoder, TokenizerVocab.PreTokenizer)
        case sentencePiece(SentencePieceEncoder, addSpacePrefix: Bool)
    }

    public init(vocab: TokenizerVocab) throws {
        let count = vocab.tokens.count
        guard count > 0 else { throw TokenizerError.emptyVocabulary }
        if let scores = vocab.scores, scores.count < count {
            throw TokenizerError.lengthMismatch(field: "scores", expected: count, actual: scores.count)
        }
        if let types = vocab.tokenTypes, types.count < count {
            throw TokenizerError.lengthMismatch(field: "token types", expected: count, actual: types.count)
        }
        let named: [(String, Int32?)] = [
            ("BOS", vocab.bosID), ("EOS", vocab.eosID), ("UNK", vocab.unkID), ("PAD", vocab.padID),
            ("EOT", vocab.eotID), ("EOM", vocab.eomID),
        ]
        for (name, id) in named {
            if let id, id < 0 || Int(id) >= count {
                throw TokenizerError.tokenIDOutOfRange(name: name, id: id, vocabSize: count)
            }
        }
        if vocab.addBOS && vocab.bosID == nil { throw TokenizerError.missingSpecialToken(name: "BOS") }
        if vocab.addEOS && vocab.eosID == nil { throw TokenizerError.missingSpecialToken(name: "EOS") }

        var tokenBytes: [[UInt8]] = []
        tokenBytes.reserveCapacity(count)
        var tokenForText: [[UInt8]: Int32] = [:]
        tokenForText.reserveCapacity(count)
        for (index, text) in vocab.tokens.enumerated() {
            // llama.cpp renames empty tokens so that they stay distinct and unmatchable.
            let bytes = text.isEmpty ? Array("[EMPTY_\(index)]".utf8) : Array(text.utf8)
            if let first = tokenForText[bytes] {
                throw TokenizerError.duplicateToken(text: text, firstID: Int(first), secondID: index)
            }
            tokenForText[bytes] = Int32(index)
            tokenBytes.append(bytes)
        }

        var attributes: [TokenAttributes]
        if let types = vocab.tokenTypes {
            attributes = types.prefix(count).map(TokenAttributes.init(tokenType:))
        } else {
            attributes = Array(repeating: .normal, count: count)
        }
        let endOfGeneration = Self.applyTextRules(vocab: vocab, tokenForText: tokenForText, attributes: &attributes)

        switch vocab.model {
        case .bpe:
            guard let merges = vocab.merges else { throw TokenizerError.missingMerges }
            let encoder = BytePairEncoder(
                vocabSize: count, tokenForText: tokenForText, merges: merges,
                ignoresMerges: vocab.preTokenizer.ignoresMerges)
            engine = .bytePair(encoder, vocab.preTokenizer)
        case .sentencePiece:
            let scores = vocab.scores.map { Array($0.prefix(count)) } ?? Array(repeating: 0, count: count)
            let encoder = SentencePieceEncoder(tokenForText: tokenForText, scores: scores, unknownID: vocab.unkID)
            engine = .sentencePiece(encoder, addSpacePrefix: vocab.addSpacePrefix)
        }

        var special = (0..<count).filter { !attributes[$0].isDisjoint(with: .special) }.map { Int32($0) }
        special.sort { a, b in
            let la = tokenBytes[Int(a)].count, lb = tokenBytes[Int(b)].count
            return la != lb ? la > lb : a < b
        }
        var byFirstByte = [[Int32]](repeating: [], count: 256)
        for id in special { byFirstByte[Int(tokenBytes[Int(id)][0])].append(id) }

        self.vocab = vocab
        self.attributes = attributes
        self.tokenBytes = tokenBytes
        self.tokenForText = tokenForText
        self.endOfGenerationIDs = endOfGeneration
        self.specialTokens = special
        self.specialTokensByFirstByte = byFirstByte
        self.pieces = (0..<count).map { id in
            Self.renderPiece(model: vocab.model, text: tokenBytes[id], attributes: attributes[id])
        }
    }

    /// Number of tokens in the vocabulary.
    public var vocabSize: Int { tokenBytes.count }
    public var bosID: Int32? { vocab.bosID }
    public var eosID: Int32? { vocab.eosID }

    /// Whether generating `id` ends the turn (EOS, `<|im_end|>`, `<|eot_id|>`, …).
    public func isEndOfGeneration(_ id: Int32) -> Bool {
        endOfGenerationIDs.contains(id)
    }

    /// The id of the token whose text is exactly `text`, of any type.
    public func tokenID(forText text: String) -> Int32? {
        tokenForText[Array(text.utf8)]
    }

    /// The id of a special (control, user-defined or unknown) token by its text, e.g. `<|im_end|>`.
    public func specialTokenID(_ text: String) -> Int32? {
        guard let id = tokenID(forText: text), !attributes[Int(id)].isDisjoint(with: .special) else { return nil }
        return id
    }

    /// Whether `id` is a control or unknown token: matched in text only with `parseSpecial`,
    /// and left out of `decode(_:renderSpecial:)` when `renderSpecial` is false.
    public func isSpecial(_ id: Int32) -> Bool {
        guard id >= 0, Int(id) < attributes.count else { return false }
        return !attributes[Int(id)].isDisjoint(with: .controlOrUnknown)
    }

    /// The text of token `id` as stored in the vocabulary (byte-level or `▁`-escaped), or nil
    /// when out of range.
    public func tokenText(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < vocab.tokens.count else { return nil }
        return vocab.tokens[Int(id)]
    }
}
