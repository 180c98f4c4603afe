import XCTest
@testable import TallyModel

/// Malformed templates and failing renders: each a thrown `ChatTemplateError`
/// with a clear message and position, never a crash.
final class ChatTemplateErrorTests: XCTestCase {
    private func syntaxError(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> (message: String, line: Int, column: Int)? {
        do {
            _ = try ChatTemplate(source: source)
            XCTFail("expected a syntax error", file: file, line: line)
        } catch let ChatTemplateError.syntax(message, errorLine, column) {
            return (message, errorLine, column)
        } catch {
            XCTFail("expected a syntax error, got \(error)", file: file, line: line)
        }
        return nil
    }

    func testUnclosedOutputTag() throws {
        let error = try XCTUnwrap(syntaxError("Hello\n  {{ message['role'] "))
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.column, 3)
        XCTAssertTrue(error.message.contains("unclosed tag"), error.message)
        XCTAssertTrue(error.message.contains("}}"), error.message)
    }

    func testUnclosedStatementTagBeforeNextTag() throws {
        let error = try XCTUnwrap(syntaxError("{% if x {{ y }}"))
        XCTAssertEqual(error.line, 1)
        XCTAssertEqual(error.column, 1)
        XCTAssertTrue(error.message.contains("'{%' has no matching '%}'"), error.message)
    }

    func testUnclosedBlock() throws {
        let error = try XCTUnwrap(syntaxError("a\n{% for m in messages %}\n{% if m %}x{% endif %}"))
        XCTAssertEqual(error.line, 2)
        XCTAssertEqual(error.column, 1)
        XCTAssertTrue(error.message.contains("unclosed '{% for %}' block"), error.message)
        XCTAssertTrue(error.message.contains("endfor"), error.message)
    }

    func testMismatchedEndTag() throws {
        let error = try XCTUnwrap(syntaxError("{% if x %}a{% endfor %}"))
        XCTAssertTrue(error.message.contains("endfor"), error.message)
        XCTAssertEqual(error.column, 15)
    }

    func testUnclosedCommentAndString() throws {
        XCTAssertTrue(try XCTUnwrap(syntaxError("{# note")).message.contains("unclosed comment"))
        XCTAssertTrue(try XCTUnwrap(syntaxError("{{ 'abc }}")).message.contains("unterminated string"))
    }

    func testUnknownFilter() throws {
        let error = try XCTUnwrap(syntaxError("{{ messages | frobnicate }}"))
        XCTAssertEqual(error.message, "unknown filter 'frobnicate'")
        XCTAssertEqual(error.line, 1)
        XCTAssertEqual(error.column, 15)
    }

    func testUnknownTestAndTag() throws {
        XCTAssertEqual(try XCTUnwrap(syntaxError("{% if x is shiny %}{% endif %}")).message, "unknown test 'shiny'")
        XCTAssertEqual(try XCTUnwrap(syntaxError("{% include 'other.j2' %}")).message, "unknown tag 'include'")
    }

    func testBadExpression() throws {
        let error = try XCTUnwrap(syntaxError("{{ 1 + }}"))
        XCTAssertTrue(error.message.contains("unexpected"), error.message)
        XCTAssertNotNil(syntaxError("{% for in messages %}{% endfor %}"))
        XCTAssertNotNil(syntaxError("{% break %}"))
    }

    func testRaiseException() throws {
        let template = try ChatTemplate(source: "{% if messages[0]['role'] != 'user' %}{{ raise_exception('First message must be from the user, got ' + messages[0]['role']) }}{% endif %}ok")
        XCTAssertThrowsError(try template.render(
            messages: [ChatMessage(role: "assistant", content: "hi")], addGenerationPrompt: false, bosToken: "", eosToken: ""
        )) { error in
            XCTAssertEqual(error as? ChatTemplateError, .raised(message: "First message must be from the user, got assistant"))
            XCTAssertEqual((error as? ChatTemplateError)?.message, "First message must be from the user, got assistant")
        }
        XCTAssertEqual(
            try template.render(messages: [ChatMessage(role: "user", content: "hi")], addGenerationPrompt: false, bosToken: "", eosToken: ""),
            "ok"
        )
    }

    func testRuntimeErrorsCarryTheTagPosition() throws {
        let template = try ChatTemplate(source: "line one\n  {{ 'a' + 1 }}")
        XCTAssertThrowsError(try template.render(messages: [], addGenerationPrompt: false, bosToken: "", eosToken: "")) { error in
            guard case let .render(message, line, column)? = error as? ChatTemplateError else {
                return XCTFail("expected a render error, got \(error)")
            }
            XCTAssertEqual(line, 2)
            XCTAssertEqual(column, 3)
            XCTAssertTrue(message.contains("unsupported operand types for +: 'str' and 'int'"), message)
        }
    }

    func testCallingUndefinedAndBadMethods() throws {
        for source in ["{{ nothing_here() }}", "{{ messages.nope() }}", "{{ (1).strip() }}", "{% set x.y = 1 %}"] {
            let template = try ChatTemplate(source: source)
            XCTAssertThrowsError(try template.render(messages: [], addGenerationPrompt: false, bosToken: "", eosToken: ""), source) { error in
                guard case .render? = error as? ChatTemplateError else { return XCTFail("\(source): \(error)") }
            }
        }
    }

    func testRunawayMacroRecursionIsAnErrorOnAPoolThread() async throws {
        let template = try ChatTemplate(source: "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")
        let outcome = await Task.detached { () -> Error? in
            do {
                _ = try template.render(messages: [], addGenerationPrompt: false, bosToken: "", eosToken: "")
                return nil
            } catch {
                return error
            }
        }.value
        guard case let .render(message, _, _)? = outcome as? ChatTemplateError else {
            return XCTFail("expected a render error, got \(String(describing: outcome))")
        }
        XCTAssertTrue(message.contains("recursed too deeply"), message)
    }

    func testErrorDescriptionsNamePosition() {
        XCTAssertEqual(
            ChatTemplateError.syntax(message: "unknown filter 'x'", line: 3, column: 7).description,
            "chat template syntax error at line 3, column 7: unknown filter 'x'"
        )
        XCTAssertEqual(ChatTemplateError.raised(message: "nope").description, "chat template raised an exception: nope")
    }
}
