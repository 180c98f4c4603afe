extension Tokenizer {
    /// Token texts llama.cpp treats as end of generation (its `special_eog_ids` text list).
    static let endOfGenerationTexts: [String] = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<｜end▁of▁sentence｜>", "[e~[",
    ]

    /// Fill-in-the-middle texts llama.cpp recognises; all become control tokens.
    static let fillInMiddleTexts: [String] = [
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
        "<|code_prefix|>", "<|prefix|>",
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
        "<|code_suffix|>", "<|suffix|>",
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
        "<|code_middle|>", "<|middle|>",
    ] + fillInMiddleEndTexts

    /// The FIM pad / repo / file-separator texts, which also end generation.
    static let fillInMiddleEndTexts: [String] = [
        "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
        "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>",
        "<|file_sep|>",
    ]

    /// gpt-oss tokens llama.cpp always renders (forced to user-defined).
    static let alwaysRenderedTexts: [String] = ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"]

    /// Applies llama.cpp's load-time, text-based token rules: end-of-turn and FIM texts become
    /// control tokens, gpt-oss channel tokens user-defined. Returns the end-of-generation ids.
    static func applyTextRules(
        vocab: TokenizerVocab, tokenForText: [[UInt8]: Int32], attributes: inout [TokenAttributes]
    ) -> Set<Int32> {
        func id(_ text: String) -> Int? { tokenForText[Array(text.utf8)].map(Int.init) }

        for text in fillInMiddleTexts { if let i = id(text) { attributes[i].insert(.control) } }

        var endOfGeneration = Set<Int32>()
        for text in fillInMiddleEndTexts { if let i = id(text) { endOfGeneration.insert(Int32(i)) } }
        for text in endOfGenerationTexts {
            if let i = id(text) {
                endOfGeneration.insert(Int32(i))
                attributes[i].insert(.control)
            }
        }
        for text in alwaysRenderedTexts { if let i = id(text) { attributes[i] = .userDefined } }
        for named in [vocab.eosID, vocab.eotID, vocab.eomID] {
            if let named { endOfGeneration.insert(named) }
        }

        // o200k_harmony / solar-open: `<|end|>` ends a message, not the generation.
        func isEOG(_ text: String) -> Bool { id(text).map { endOfGeneration.contains(Int32($0)) } ?? false }
        let hasCall = isEOG("<|call|>") || isEOG("<|calls|>")
        if let end = id("<|end|>"), endOfGeneration.contains(Int32(end)),
           hasCall && (isEOG("<|return|>") || isEOG("<|flush|>")) {
            endOfGeneration.remove(Int32(end))
            attributes[end] = .userDefined
        }
        // Gemma 4 / PaddleOCR: `</s>` is an ordinary token there.
        if let s = id("</s>"), endOfGeneration.contains(Int32(s)), isEOG("<|tool_response>") {
            endOfGeneration.remove(Int32(s))
            attributes[s] = .normal
        }
        return endOfGeneration
    }
}
