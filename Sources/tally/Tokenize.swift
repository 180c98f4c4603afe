import ArgumentParser
import Foundation
import TallyModel

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the token ids of a text.")

    @OptionGroup var options: ModelOptions
    @Option(help: "Text to tokenize.") var text: String?
    @Option(help: "Read the text from a file.") var file: String?
    @Flag(help: "Parse special tokens such as <|im_start|> written in the text.") var parseSpecial = false
    @Flag(help: "Print {\"ids\": [...]}.") var json = false

    func validate() throws {
        guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text, --file") }
    }

    func run() throws {
        try runReportingErrors {
            let model = try options.load()
            let input = try text ?? readText(file ?? "")
            let ids = model.tokenizer.encode(input, parseSpecial: parseSpecial)
            if json {
                try printJSON(["ids": ids])
            } else {
                for id in ids {
                    let piece = String(decoding: model.tokenizer.piece(id), as: UTF8.self)
                    print("\(id)\t\(piece.debugDescription)")
                }
            }
        }
    }
}
