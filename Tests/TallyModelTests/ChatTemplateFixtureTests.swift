import Foundation
import XCTest
@testable import TallyModel

/// The reference renders llama.cpp produced for SmolLM2-135M-Instruct, read
/// case by case from the bundled fixture JSON.
final class ChatTemplateFixtureTests: XCTestCase {
    private struct Fixture: Decodable {
        struct TemplateCase: Decodable {
            let messages: [ChatMessage]
            let add_generation_prompt: Bool
            let rendered: String
        }

        struct GreedyCase: Decodable {
            let messages: [ChatMessage]?
            let add_generation_prompt: Bool?
            let prompt_text: String
        }

        let chat_templates: [TemplateCase]
        let greedy: [GreedyCase]
    }

    private func loadFixture() throws -> Fixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/smollm2-135m-q4_1", withExtension: "json"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    private let template = { () -> ChatTemplate? in try? ChatTemplate(source: ChatTemplateSources.smolLM2) }()

    func testSmolLM2TemplateParses() throws {
        XCTAssertNoThrow(try ChatTemplate(source: ChatTemplateSources.smolLM2))
    }

    func testChatTemplateCasesRenderByteIdentical() throws {
        let fixture = try loadFixture()
        let template = try XCTUnwrap(template)
        XCTAssertFalse(fixture.chat_templates.isEmpty)
        for (index, testCase) in fixture.chat_templates.enumerated() {
            let rendered = try template.render(
                messages: testCase.messages, addGenerationPrompt: testCase.add_generation_prompt,
                bosToken: "<|im_start|>", eosToken: "<|im_end|>"
            )
            XCTAssertEqual(Array(rendered.utf8), Array(testCase.rendered.utf8), "chat_templates[\(index)]")
        }
    }

    func testGreedyChatCasesRenderTheirPromptText() throws {
        let fixture = try loadFixture()
        let template = try XCTUnwrap(template)
        let chatCases = fixture.greedy.enumerated().filter { $0.element.messages != nil }
        XCTAssertFalse(chatCases.isEmpty)
        for (index, testCase) in chatCases {
            let rendered = try template.render(
                messages: testCase.messages ?? [], addGenerationPrompt: testCase.add_generation_prompt ?? true,
                bosToken: "<|im_start|>", eosToken: "<|im_end|>"
            )
            XCTAssertEqual(Array(rendered.utf8), Array(testCase.prompt_text.utf8), "greedy[\(index)]")
        }
    }
}
