import ArgumentParser

@main
struct Tally: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "A self-hosted LLM inference server that knows its own unit economics.",
        subcommands: [Generate.self, Tokenize.self, Template.self, PerplexityCommand.self, BenchCommand.self]
    )
}
