import Foundation
import XCTest

/// The `tally` binary as scripts drive it: its JSON shapes and its one-line errors.
final class CLITests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `tally` built beside this test bundle (the products folder).
    var binary: URL {
        let bundle = Bundle(for: CLITests.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent(), Bundle.main.bundleURL,
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        for dir in candidates {
            let url = dir.appendingPathComponent("tally")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue { return url }
        }
        return candidates[1].appendingPathComponent("tally")
    }

    var modelPath: String {
        get throws {
            if let env = ProcessInfo.processInfo.environment["TALLY_MODEL"], !env.isEmpty { return env }
            let p = CLITests.packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf").path
            guard FileManager.default.fileExists(atPath: p) else {
                XCTFail("the default model is missing at \(p): run `make model` (or set TALLY_MODEL)")
                throw CocoaError(.fileNoSuchFile)
            }
            return p
        }
    }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    func tally(_ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func json(_ s: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any], s)
    }

    func testTokenizeJSON() throws {
        let r = try tally(["tokenize", "--model", try modelPath, "--text", "<|im_start|>Hello world", "--parse-special", "--json", "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try json(r.stdout)["ids"] as? [Int], [1, 19556, 905])
    }

    func testTemplateJSON() throws {
        let f = NSTemporaryDirectory() + "tally-cli-msgs.json"
        try Data(#"[{"role":"user","content":"Hello!"}]"#.utf8).write(to: URL(fileURLWithPath: f))
        let r = try tally(["template", "--model", try modelPath, "--messages-file", f, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try json(r.stdout)["text"] as? String,
                       "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n")
    }

    func testGenerateJSONIsGreedyAndCoherent() throws {
        let r = try tally(["generate", "--model", try modelPath, "--prompt", "The capital of France is", "--temperature", "0",
                           "--max-tokens", "4", "--json", "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try json(r.stdout)
        XCTAssertEqual(j["prompt_ids"] as? [Int], [504, 3575, 282, 4649, 314])
        XCTAssertEqual(j["output_ids"] as? [Int], [7042, 30, 198, 198])
        XCTAssertEqual(j["text"] as? String, " Paris.\n\n")
        XCTAssertEqual(j["finish_reason"] as? String, "length")
    }

    func testGenerateStreamsTextAndReportsSpeed() throws {
        let r = try tally(["generate", "--model", try modelPath, "--prompt", "Once upon a time", "--temperature", "0", "--max-tokens", "8"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix(", the city of New Haven"), r.stdout)
        XCTAssertNotNil(r.stdout.range(of: #"\[prompt: 4 tokens, [0-9.]+ tok/s \| decode: 8 tokens, [0-9.]+ tok/s"#, options: .regularExpression), r.stdout)
    }

    func testPerplexityJSON() throws {
        let text = CLITests.packageRoot.appendingPathComponent("Tests/TallyModelTests/Fixtures/apache-2.0.txt").path
        let r = try tally(["perplexity", "--model", try modelPath, "--file", text, "--ctx", "256", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try json(r.stdout)
        XCTAssertEqual(j["chunks"] as? Int, 8)  // 2,3xx tokens / 256
        XCTAssertGreaterThan(j["ppl"] as? Double ?? 0, 5)
    }

    func testBenchOfflineJSON() throws {
        let r = try tally(["bench", "offline", "--model", try modelPath, "--prompt", "32", "--gen", "4", "--reps", "1",
                           "--batch", "1,3", "--batch-prompt", "8", "--batch-gen", "4", "--json", "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let j = try json(r.stdout)
        XCTAssertGreaterThan(j["pp_tok_s"] as? Double ?? 0, 1)
        XCTAssertGreaterThan(j["tg_tok_s"] as? Double ?? 0, 1)
        let batches = try XCTUnwrap(j["batch_decode"] as? [[String: Any]])
        XCTAssertEqual(batches.map { $0["batch"] as? Int }, [1, 3])
        XCTAssertTrue(batches.allSatisfy { ($0["tok_s"] as? Double ?? 0) > 1 })
        XCTAssertTrue(r.stderr.contains("100%"), "progress on stderr: \(r.stderr)")
    }

    /// Every failure is one line on stderr naming the cause, and a non-zero exit.
    func testErrorsAreOneClearLine() throws {
        let bad = NSTemporaryDirectory() + "tally-cli-bad.gguf"
        try Data("not a gguf at all".utf8).write(to: URL(fileURLWithPath: bad))
        let badJSON = NSTemporaryDirectory() + "tally-cli-bad.json"
        try Data("{oops".utf8).write(to: URL(fileURLWithPath: badJSON))
        let cases: [([String], String)] = [
            (["generate", "--model", "/nonexistent.gguf", "--prompt", "x"], "model file not found: /nonexistent.gguf"),
            (["tokenize", "--model", bad, "--text", "x"], "not a GGUF file"),
            (["template", "--model", try modelPath, "--messages-file", badJSON], "is not valid JSON"),
            (["generate", "--model", try modelPath, "--prompt", "x", "--threads", "0"], "--threads must be between 1 and 256"),
            (["generate", "--model", try modelPath, "--prompt", "x", "--top-p", "0"], "top_p must be in (0, 1]"),
            (["generate", "--model", try modelPath, "--prompt", "x", "--max-tokens", "100000"], "exceeds the context"),
            (["perplexity", "--model", try modelPath, "--file", "/nonexistent.txt"], "cannot read /nonexistent.txt"),
            (["bench", "offline", "--model", try modelPath, "--batch", "1,x"], "--batch: 'x' is not a number"),
            (["bench", "offline", "--model", try modelPath, "--reps", "0"], "must be at least 1"),
        ]
        for (args, message) in cases {
            let r = try tally(args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("tally: ") && r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}
