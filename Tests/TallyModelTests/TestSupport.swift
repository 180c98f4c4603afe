import Foundation
import XCTest

/// Shared helpers of the TallyModel tests.
enum TestSupport {
    /// Root of the package (Tests/TallyModelTests/ is two levels below it).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The default model: `TALLY_MODEL`, else `models/SmolLM2-135M-Instruct.Q4_1.gguf`.
    /// Fails (never skips) when it is missing, saying how to fetch it.
    static func modelPath(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        if let env = ProcessInfo.processInfo.environment["TALLY_MODEL"], !env.isEmpty {
            guard FileManager.default.fileExists(atPath: env) else {
                XCTFail("TALLY_MODEL=\(env) does not exist; run `make model`", file: file, line: line)
                throw CocoaError(.fileNoSuchFile)
            }
            return env
        }
        let path = packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf").path
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("the default model is missing at \(path): run `make model` (or set TALLY_MODEL)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return path
    }

    static func fixtureURL(_ name: String, _ ext: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: ext), "fixture \(name).\(ext)")
    }

    /// The llama.cpp reference cases (Fixtures/smollm2-135m-q4_1.json) as JSON objects.
    static func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: try fixtureURL("smollm2-135m-q4_1", "json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tally-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }
}
