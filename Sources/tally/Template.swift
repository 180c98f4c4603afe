import ArgumentParser
import Foundation
import TallyModel

struct Template: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Render chat messages through the model's chat template.")

    @OptionGroup var options: ModelOptions
    @Option(help: "OpenAI-style messages (JSON).") var messagesFile: String
    @Flag(help: "Leave out the assistant generation prompt.") var noGenerationPrompt = false
    @Flag(help: "Print {\"text\": \"...\"}.") var json = false

    func run() throws {
        try runReportingErrors {
            let model = try options.load()
            let text = try model.renderChat(try readMessages(messagesFile), addGenerationPrompt: !noGenerationPrompt)
            if json {
                try printJSON(["text": text])
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}
