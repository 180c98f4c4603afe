import Foundation
import XCTest
@testable import TallyModel

/// Language features of the Jinja subset, one concern per test.
final class ChatTemplateSyntaxTests: XCTestCase {
    private func render(_ source: String, _ variables: [String: TemplateValue] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try ChatTemplate(source: source).render(variables: variables)
    }

    private let messages: TemplateValue = .list([
        .dict(TemplateDict([("role", .string("system")), ("content", .string("S"))])),
        .dict(TemplateDict([("role", .string("user")), ("content", .string("U1"))])),
        .dict(TemplateDict([("role", .string("assistant")), ("content", .string("A1"))])),
    ])

    func testTrimBlocksAndLstripBlocks() throws {
        let source = """
            <start>
            {% for m in messages %}
                {% if m.role == 'user' %}
            [{{ m.content }}]
                {% endif %}
            {% endfor %}
            <end>

            """
        XCTAssertEqual(try render(source, ["messages": messages]), "<start>\n[U1]\n<end>")
    }

    func testWhitespaceControl() throws {
        XCTAssertEqual(try render("a  \n  {{- 'b' -}}  \n  c"), "abc")
        XCTAssertEqual(try render("a \n {%- if true -%} \n b \n {%- endif -%} \n c"), "abc")
        XCTAssertEqual(try render("a\n  {#- comment -#}\n  b"), "ab")
        XCTAssertEqual(try render("x {# c #} y"), "x  y")
        XCTAssertEqual(try render("  {%+ if true %}x{% endif %}"), "  x")
        XCTAssertEqual(try render("{% if true %}\nkeep\n{% endif %}\n"), "keep\n")
        XCTAssertEqual(try render("{{ 'x' }}\n{{ 'y' }}"), "x\ny")
    }

    func testLoopVariables() throws {
        let source = "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ x }}"
            + "{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %}{{ loop.length }}"
            + "({{ loop.previtem }}|{{ loop.nextitem }}|{{ loop.revindex }}) {% endfor %}"
        XCTAssertEqual(try render(source), "10aF3(|b|3) 21b3(a|c|2) 32cL3(b||1) ")
    }

    func testForFilterElseBreakContinue() throws {
        XCTAssertEqual(try render("{% for x in range(10) if x is odd %}{{ x }}{{ loop.length }},{% endfor %}"), "15,35,55,75,95,")
        XCTAssertEqual(try render("{% for x in [] %}x{% else %}empty{% endfor %}"), "empty")
        XCTAssertEqual(try render("{% for x in range(1, 9, 2) %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}"), "13")
        XCTAssertEqual(try render("{% for x in range(4) %}{% if x == 1 %}{% continue %}{% endif %}{{ x }}{% endfor %}"), "023")
        XCTAssertEqual(try render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}"), "a=1;b=2;")
        XCTAssertEqual(try render("{% for k in {'z': 1, 'a': 2} %}{{ k }}{% endfor %}"), "za")
        XCTAssertEqual(try render("{% for x in undefined_list %}x{% endfor %}done"), "done")
    }

    func testSetScopingAndNamespace() throws {
        let source = "{% set count = 0 %}{% set ns = namespace(found=false, n=0) %}"
            + "{% for m in messages %}{% set count = count + 1 %}{% if m.role == 'user' %}{% set ns.found = true %}{% endif %}"
            + "{% set ns.n = ns.n + 1 %}{% endfor %}{{ count }} {{ ns.found }} {{ ns.n }}"
        XCTAssertEqual(try render(source, ["messages": messages]), "0 True 3")
        XCTAssertEqual(try render("{% set a, b = 1, 2 %}{{ a }}{{ b }}"), "12")
        XCTAssertEqual(try render("{% set block %}x{{ 1 + 1 }}y{% endset %}[{{ block }}]"), "[x2y]")
    }

    func testMacros() throws {
        let source = "{% macro tag(name, body='-') %}<{{ name }}>{{ body }}</{{ name }}>{% endmacro %}"
            + "{{ tag('a') }}{{ tag('b', 'x') }}{{ tag(body='y', name='c') }}"
        XCTAssertEqual(try render(source), "<a>-</a><b>x</b><c>y</c>")
    }

    func testLiteralsAndOperators() throws {
        XCTAssertEqual(try render("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1.5 * 2 }}"), "3 -4 1 2 3.5 1024 3.0")
        XCTAssertEqual(try render("{{ 'a' ~ 1 ~ none }} {{ 'ab' * 2 }} {{ [1] + [2] }}"), "a1None abab [1, 2]")
        XCTAssertEqual(try render("{{ True }} {{ false }} {{ None }} {{ {'k': 'v', 'n': [1, 2.5]} }}"), "True False None {'k': 'v', 'n': [1, 2.5]}")
        XCTAssertEqual(try render("{{ 1 < 2 and 2 <= 2 and not 3 > 4 }} {{ 'b' > 'a' }} {{ 1 == 1.0 }} {{ 'x' != 'y' }}"), "True True True True")
        XCTAssertEqual(try render("{{ 0 or 'fallback' }} {{ 'a' and 'b' }}"), "fallback b")
        XCTAssertEqual(try render("{{ 'ell' in 'hello' }} {{ 3 not in [1, 2] }} {{ 'k' in {'k': 1} }}"), "True True True")
        XCTAssertEqual(try render("{{ 'yes' if 1 > 2 else 'no' }}[{{ 'only' if false }}]"), "no[]")
        XCTAssertEqual(try render(#"{{ 'it\'s' }} {{ "tab\there" }} {{ 'a\nb' }} {{ '\u00e9' }}"#), "it's tab\there a\nb é")
    }

    func testAccessAndSlices() throws {
        let variables: [String: TemplateValue] = ["messages": messages]
        XCTAssertEqual(try render("{{ messages[1]['role'] }} {{ messages[-1].content }} {{ messages[1:] | length }}", variables), "user A1 2")
        XCTAssertEqual(try render("{% for m in messages[::-1] %}{{ m.content }}{% endfor %}", variables), "A1U1S")
        XCTAssertEqual(try render("{{ 'abcdef'[1:4] }} {{ 'abc'[::-1] }} {{ [1, 2, 3, 4][::2] }} {{ 'abc'[-1] }}"), "bcd cba [1, 3] c")
        XCTAssertEqual(try render("[{{ missing }}][{{ missing.attr.deeper }}][{{ messages[10].role }}]", variables), "[][][]")
    }

    func testTests() throws {
        let source = "{{ x is defined }}{{ y is undefined }}{{ none is none }}{{ 's' is string }}{{ 1 is number }}"
            + "{{ {} is mapping }}{{ [] is iterable }}{{ [] is sequence }}{{ true is true }}{{ false is false }}"
            + "{{ 3 is odd }}{{ 4 is even }}{{ 1 is not string }}{{ 6 is divisibleby 3 }}{{ 'a' is equalto('a') }}"
        XCTAssertEqual(try render(source, ["x": .int(1)]), String(repeating: "True", count: 15))
    }

    func testFilters() throws {
        let variables: [String: TemplateValue] = ["messages": messages]
        XCTAssertEqual(try render("[{{ '  pad \n' | trim }}] {{ 'ab' | upper }} {{ 'AB' | lower }} {{ 'hello wORLD' | capitalize }} {{ 'hello world' | title }}"), "[pad] AB ab Hello world Hello World")
        XCTAssertEqual(try render("{{ messages | length }} {{ 'abc' | count }} {{ messages | first | attr('role') }} {{ (messages | last).content }}", variables), "3 3 system A1")
        XCTAssertEqual(try render("{{ ['a', 'b'] | join(', ') }} {{ messages | map(attribute='role') | join('/') }}", variables), "a, b system/user/assistant")
        XCTAssertEqual(try render("{{ missing | default('d') }} {{ '' | default('e', true) }} {{ 'v' | d('x') }}"), "d e v")
        XCTAssertEqual(try render("{{ 42 | string ~ '!' }} {{ '12' | int + 1 }} {{ 'x' | int }} {{ 3.7 | int }} {{ 'ab' | list }}"), "42! 13 0 3 ['a', 'b']")
        XCTAssertEqual(try render("{{ 'a-b-c' | replace('-', '+') }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 3.14159 | round(2) }} {{ -3 | abs }} {{ 'x' | safe }}"), "a+b+c 2.0 4.0 3.14 3 x")
        XCTAssertEqual(try render("{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join }}", variables), "U1")
        XCTAssertEqual(try render("{{ messages | rejectattr('role', 'equalto', 'user') | list | length }}", variables), "2")
        XCTAssertEqual(try render("{{ [1, 2, 3, 4] | select('even') | list }} {{ ['x', 'code_interpreter'] | reject('equalto', 'code_interpreter') | join(', ') }}"), "[2, 4] x")
        XCTAssertEqual(try render("{% for k, v in {'a': 1} | items %}{{ k }}{{ v }}{% endfor %} {{ [3, 1, 2] | sort | join }} {{ [1, 1, 2] | unique | list }}"), "a1 123 [1, 2]")
        XCTAssertEqual(try render("{% filter upper %}shout{% endfilter %} {{ 'a\nb' | indent(2) }}"), "SHOUT a\n  b")
    }

    func testToJSON() throws {
        let value: TemplateValue = .dict(TemplateDict([
            ("name", .string("say \"hi\"\n")), ("n", .int(1)), ("x", .double(0.5)), ("ok", .bool(true)),
            ("none", .none), ("list", .list([.int(1), .string("é")])), ("empty", .dict(TemplateDict())),
        ]))
        XCTAssertEqual(
            try render("{{ v | tojson }}", ["v": value]),
            #"{"name": "say \"hi\"\n", "n": 1, "x": 0.5, "ok": true, "none": null, "list": [1, "é"], "empty": {}}"#
        )
        XCTAssertEqual(
            try render("{{ v | tojson(indent=2) }}", ["v": .dict(TemplateDict([("a", .list([.int(1), .int(2)])), ("b", .list([]))]))]),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": []\n}"
        )
        XCTAssertEqual(try render("{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}"), #"{"a": 2, "b": 1}"#)
    }

    func testMethods() throws {
        XCTAssertEqual(try render("[{{ '  x  '.strip() }}][{{ '  x  '.lstrip() }}][{{ '  x  '.rstrip() }}][{{ 'xxaxx'.strip('x') }}]"), "[x][x  ][  x][a]")
        XCTAssertEqual(try render("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }}"), "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c']")
        XCTAssertEqual(try render("{{ 'hello'.startswith('he') }} {{ 'hello'.endswith(('x', 'lo')) }} {{ 'Ab'.upper() }}{{ 'Ab'.lower() }}"), "True True ABab")
        XCTAssertEqual(try render("{{ \"they're here\".title() }} {{ 'aaa'.replace('a', 'b', 2) }}"), "They'Re Here bba")
        let dict: [String: TemplateValue] = ["d": .dict(TemplateDict([("a", .int(1)), ("b", .int(2))]))]
        XCTAssertEqual(try render("{{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }}", dict),
                       "['a', 'b'] [1, 2] [['a', 1], ['b', 2]] 1 None 0")
    }

    func testRawBlock() throws {
        XCTAssertEqual(try render("{% raw %}{{ not parsed }}{% endraw %}"), "{{ not parsed }}")
    }

    func testGenerationBlockRendersItsBody() throws {
        XCTAssertEqual(try render("{% generation %}reply{% endgeneration %}"), "reply")
    }

    func testStrftimeNow() throws {
        let rendered = try render("{{ strftime_now('%Y-%m-%d') }}|{{ strftime_now is defined }}")
        let parts = rendered.split(separator: "|")
        XCTAssertEqual(parts.last, "True")
        let now = Calendar(identifier: .gregorian).dateComponents(in: .current, from: Date())
        let expected = String(format: "%04d-%02d-%02d", now.year ?? 0, now.month ?? 0, now.day ?? 0)
        XCTAssertEqual(String(parts[0]), expected)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let date = utc.date(from: DateComponents(year: 2024, month: 7, day: 6, hour: 15, minute: 4, second: 5))!
        XCTAssertEqual(TemplateRenderer.strftime("%d %b %Y|%-d %B|%H:%M:%S %p|%a %A|%%", date: date, timeZone: utc.timeZone),
                       "06 Jul 2024|6 July|15:04:05 PM|Sat Saturday|%")
    }

    func testContextVariablesFromChatMessages() throws {
        let template = try ChatTemplate(source: "{{ bos_token }}{{ messages | length }}{{ add_generation_prompt }}{{ tools is defined }}{{ eos_token }}")
        XCTAssertEqual(
            try template.render(messages: [ChatMessage(role: "user", content: "x")], addGenerationPrompt: true, bosToken: "<s>", eosToken: "</s>"),
            "<s>1TrueFalse</s>"
        )
    }

    func testTemplateIsSendableAndReusable() async throws {
        let template = try ChatTemplate(source: "{{ messages[0].content }}")
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<4 {
                group.addTask {
                    try template.render(messages: [ChatMessage(role: "user", content: "m\(index)")], addGenerationPrompt: false, bosToken: "", eosToken: "")
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(Set(results), ["m0", "m1", "m2", "m3"])
    }
}
