import ArgumentParser
import Foundation
import TallyModel

/// Options every model command takes.
struct ModelOptions: ParsableArguments {
    @Option(help: "Path to a GGUF model (default: $TALLY_MODEL, else models/SmolLM2-135M-Instruct.Q4_1.gguf).")
    var model: String?

    @Option(help: "Kernel threads (default: all cores).")
    var threads: Int?

    @Flag(name: .shortAndLong, help: "Log the kernel path, threads and NUMA placement on stderr at start.")
    var verbose = false

    static let defaultModel = "models/SmolLM2-135M-Instruct.Q4_1.gguf"

    var modelPath: String {
        if let model { return model }
        if let env = ProcessInfo.processInfo.environment["TALLY_MODEL"], !env.isEmpty { return env }
        return ModelOptions.defaultModel
    }

    func load() throws -> LanguageModel {
        let path = modelPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("model file not found: \(path)" + (model == nil ? " (run `make model` to fetch the default model)" : ""))
        }
        let compute = try ComputeContext(threads: threads)
        if verbose { FileHandle.standardError.write(Data("tally: \(compute.summary)\n".utf8)) }
        return try LanguageModel(path: path, compute: compute)
    }
}

/// A one-line error for the user.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Runs a command body; any error becomes one line on stderr and exit status 1.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch {
        let message = String(describing: error)
        FileHandle.standardError.write(Data("tally: \(message)\n".utf8))
        throw ExitCode(1)
    }
}

func readText(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    guard let s = String(data: data, encoding: .utf8) else { throw CLIError("\(path) is not valid UTF-8") }
    return s
}

/// Reads OpenAI-style messages: a JSON array of {role, content}, or an object with a "messages" array.
func readMessages(_ path: String) throws -> [ChatMessage] {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    let root: Any
    do {
        root = try JSONSerialization.jsonObject(with: data)
    } catch {
        throw CLIError("\(path) is not valid JSON")
    }
    let list = (root as? [Any]) ?? ((root as? [String: Any])?["messages"] as? [Any])
    guard let list else { throw CLIError("\(path): expected a JSON array of messages or {\"messages\": [...]}") }
    return try list.enumerated().map { i, item in
        guard let m = item as? [String: Any], let role = m["role"] as? String else {
            throw CLIError("\(path): message \(i) needs a string \"role\"")
        }
        guard let content = m["content"] as? String else {
            throw CLIError("\(path): message \(i) needs a string \"content\"")
        }
        return ChatMessage(role: role, content: content)
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.withoutEscapingSlashes]
    FileHandle.standardOutput.write(try enc.encode(value))
    FileHandle.standardOutput.write(Data("\n".utf8))
}
