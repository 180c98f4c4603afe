import XCTest
@testable import TallyModel

/// The templates of the model families users meet, rendered on one
/// conversation; every expected string is written out by hand from the
/// template's semantics.
final class ChatTemplateFamilyTests: XCTestCase {
    private let system = ChatMessage(role: "system", content: "You are a helpful assistant.")
    private let turns = [
        ChatMessage(role: "user", content: "Hello!"),
        ChatMessage(role: "assistant", content: "Hi there. How can I help?"),
        ChatMessage(role: "user", content: "What is 2+2?"),
    ]
    private var conversation: [ChatMessage] { [system] + turns }

    private func render(
        _ source: String, _ messages: [ChatMessage], addGenerationPrompt: Bool = true, bos: String, eos: String
    ) throws -> String {
        try ChatTemplate(source: source).render(messages: messages, addGenerationPrompt: addGenerationPrompt, bosToken: bos, eosToken: eos)
    }

    // MARK: Llama 3 / 3.1

    func testLlama3() throws {
        let expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there. How can I help?<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n"
        XCTAssertEqual(try render(ChatTemplateSources.llama3, conversation, bos: "<|begin_of_text|>", eos: "<|eot_id|>"), expected)
    }

    func testLlama3WithoutGenerationPrompt() throws {
        let expected = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
        let messages = [ChatMessage(role: "user", content: "  Hello!\n")]
        XCTAssertEqual(
            try render(ChatTemplateSources.llama3, messages, addGenerationPrompt: false, bos: "<|begin_of_text|>", eos: "<|eot_id|>"),
            expected
        )
    }

    func testLlama31() throws {
        let expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
            + "You are a helpful assistant.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there. How can I help?<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n"
        XCTAssertEqual(try render(ChatTemplateSources.llama31, conversation, bos: "<|begin_of_text|>", eos: "<|eot_id|>"), expected)
    }

    func testLlama31WithoutSystemMessageOrGenerationPrompt() throws {
        let expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there. How can I help?<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
        XCTAssertEqual(
            try render(ChatTemplateSources.llama31, turns, addGenerationPrompt: false, bos: "<|begin_of_text|>", eos: "<|eot_id|>"),
            expected
        )
    }

    func testLlama31WithToolsInFirstUserMessage() throws {
        let template = try ChatTemplate(source: ChatTemplateSources.llama31)
        let tool = TemplateValue.dict(TemplateDict([
            ("type", .string("function")),
            ("function", .dict(TemplateDict([
                ("name", .string("get_weather")),
                ("parameters", .dict(TemplateDict([("type", .string("object"))]))),
            ]))),
        ]))
        let messages: [TemplateValue] = [
            .dict(TemplateDict([("role", .string("user")), ("content", .string("Weather in Paris?"))])),
        ]
        let rendered = try template.render(variables: [
            "messages": .list(messages), "tools": .list([tool]), "add_generation_prompt": .bool(true),
            "bos_token": .string("<|begin_of_text|>"), "eos_token": .string("<|eot_id|>"),
        ])
        let expected = "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            + "Environment: ipython\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\n"
            + "Given the following functions, please respond with a JSON for a function call "
            + "with its proper arguments that best answers the given prompt.\n\n"
            + "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}."
            + "Do not use variables.\n\n"
            + "{\n    \"type\": \"function\",\n    \"function\": {\n        \"name\": \"get_weather\",\n"
            + "        \"parameters\": {\n            \"type\": \"object\"\n        }\n    }\n}\n\n"
            + "Weather in Paris?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n"
        XCTAssertEqual(rendered, expected)
    }

    // MARK: Llama 2 / Mistral [INST]

    func testLlama2Chat() throws {
        let expected = "<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nHello! [/INST]"
            + " Hi there. How can I help? </s>"
            + "<s>[INST] What is 2+2? [/INST]"
        XCTAssertEqual(try render(ChatTemplateSources.llama2, conversation, bos: "<s>", eos: "</s>"), expected)
    }

    func testMistralInstruct() throws {
        let expected = "<s>[INST] Hello! [/INST]Hi there. How can I help?</s>[INST] What is 2+2? [/INST]"
        XCTAssertEqual(try render(ChatTemplateSources.mistralInstruct, turns, bos: "<s>", eos: "</s>"), expected)
        XCTAssertEqual(
            try render(ChatTemplateSources.mistralInstruct, turns, addGenerationPrompt: false, bos: "<s>", eos: "</s>"), expected
        )
    }

    func testMistralInstructRejectsSystemRoleOrder() throws {
        XCTAssertThrowsError(try render(ChatTemplateSources.mistralInstruct, conversation, bos: "<s>", eos: "</s>")) { error in
            XCTAssertEqual(
                error as? ChatTemplateError,
                .raised(message: "Conversation roles must alternate user/assistant/user/assistant/...")
            )
        }
    }

    func testLlama2RejectsTwoUserTurnsInARow() throws {
        let messages = [ChatMessage(role: "user", content: "a"), ChatMessage(role: "user", content: "b")]
        XCTAssertThrowsError(try render(ChatTemplateSources.llama2, messages, bos: "<s>", eos: "</s>")) { error in
            XCTAssertEqual(error as? ChatTemplateError, .raised(message: "Conversation roles must alternate user/assistant/user/assistant/..."))
        }
    }

    // MARK: Gemma

    func testGemma2() throws {
        let expected = "<bos><start_of_turn>user\nHello!<end_of_turn>\n"
            + "<start_of_turn>model\nHi there. How can I help?<end_of_turn>\n"
            + "<start_of_turn>user\nWhat is 2+2?<end_of_turn>\n"
            + "<start_of_turn>model\n"
        XCTAssertEqual(try render(ChatTemplateSources.gemma2, turns, bos: "<bos>", eos: "<eos>"), expected)
    }

    func testGemma2WithoutGenerationPrompt() throws {
        let expected = "<bos><start_of_turn>user\nHello!<end_of_turn>\n"
            + "<start_of_turn>model\nHi there. How can I help?<end_of_turn>\n"
            + "<start_of_turn>user\nWhat is 2+2?<end_of_turn>\n"
        XCTAssertEqual(try render(ChatTemplateSources.gemma2, turns, addGenerationPrompt: false, bos: "<bos>", eos: "<eos>"), expected)
    }

    func testGemma2RejectsSystemMessage() throws {
        XCTAssertThrowsError(try render(ChatTemplateSources.gemma2, conversation, bos: "<bos>", eos: "<eos>")) { error in
            XCTAssertEqual(error as? ChatTemplateError, .raised(message: "System role not supported"))
        }
    }

    // MARK: Phi-3

    func testPhi3() throws {
        let expected = "<|system|>\nYou are a helpful assistant.<|end|>\n"
            + "<|user|>\nHello!<|end|>\n"
            + "<|assistant|>\nHi there. How can I help?<|end|>\n"
            + "<|user|>\nWhat is 2+2?<|end|>\n"
            + "<|assistant|>\n"
        XCTAssertEqual(try render(ChatTemplateSources.phi3, conversation, bos: "<s>", eos: "<|endoftext|>"), expected)
    }

    func testPhi3WithoutGenerationPromptEndsWithEOS() throws {
        let expected = "<|system|>\nYou are a helpful assistant.<|end|>\n"
            + "<|user|>\nHello!<|end|>\n"
            + "<|assistant|>\nHi there. How can I help?<|end|>\n"
            + "<|user|>\nWhat is 2+2?<|end|>\n"
            + "<|endoftext|>"
        XCTAssertEqual(
            try render(ChatTemplateSources.phi3, conversation, addGenerationPrompt: false, bos: "<s>", eos: "<|endoftext|>"), expected
        )
    }

    // MARK: Qwen / ChatML

    func testQwen2AddsDefaultSystemPrompt() throws {
        let expected = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello!<|im_end|>\n"
            + "<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
            + "<|im_start|>assistant\n"
        XCTAssertEqual(try render(ChatTemplateSources.qwen2, turns, bos: "", eos: "<|im_end|>"), expected)
    }

    func testQwen2KeepsGivenSystemPrompt() throws {
        let expected = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello!<|im_end|>\n"
            + "<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
        XCTAssertEqual(try render(ChatTemplateSources.qwen2, conversation, addGenerationPrompt: false, bos: "", eos: "<|im_end|>"), expected)
    }

    func testQwen25() throws {
        let withSystem = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello!<|im_end|>\n"
            + "<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
            + "<|im_start|>assistant\n"
        XCTAssertEqual(try render(ChatTemplateSources.qwen25, conversation, bos: "", eos: "<|im_end|>"), withSystem)

        let defaultSystem = "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello!<|im_end|>\n"
        XCTAssertEqual(
            try render(ChatTemplateSources.qwen25, [turns[0]], addGenerationPrompt: false, bos: "", eos: "<|im_end|>"), defaultSystem
        )
    }

    func testQwen3DropsReasoningFromEarlierAssistantTurns() throws {
        let messages = [
            system,
            ChatMessage(role: "user", content: "Hello!"),
            ChatMessage(role: "assistant", content: "<think>\nThe user greets me.\n</think>\n\nHi there. How can I help?"),
            ChatMessage(role: "user", content: "What is 2+2?"),
        ]
        let expected = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello!<|im_end|>\n"
            + "<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
            + "<|im_start|>assistant\n"
        XCTAssertEqual(try render(ChatTemplateSources.qwen3, messages, bos: "", eos: "<|im_end|>"), expected)
    }

    // MARK: Fallback

    func testChatMLFallback() throws {
        XCTAssertEqual(try ChatTemplate.resolve(ggufTemplate: nil).source, ChatTemplate.chatMLFallbackSource)
        XCTAssertEqual(try ChatTemplate.resolve(ggufTemplate: "  \n").source, ChatTemplate.chatMLFallbackSource)
        let expected = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello!<|im_end|>\n"
            + "<|im_start|>assistant\nHi there. How can I help?<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
            + "<|im_start|>assistant\n"
        XCTAssertEqual(
            try ChatTemplate.chatMLFallback.render(messages: conversation, addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>"),
            expected
        )
    }

    func testResolveUsesTheModelsOwnTemplateAndReportsBrokenOnes() throws {
        XCTAssertEqual(try ChatTemplate.resolve(ggufTemplate: ChatTemplateSources.phi3).source, ChatTemplateSources.phi3)
        XCTAssertThrowsError(try ChatTemplate.resolve(ggufTemplate: "{% for m in messages %}{{ m.content }}")) { error in
            guard case .syntax? = error as? ChatTemplateError else { return XCTFail("expected a syntax error, got \(error)") }
        }
    }
}
