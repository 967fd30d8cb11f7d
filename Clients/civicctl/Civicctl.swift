import ArgumentParser

@main
struct Civicctl: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "civicctl",
    abstract: "The CivicGrid staff command line.",
    discussion: """
      Every failure prints the gRPC status name and message on standard error and exits \
      with the status code as exit status (1 CANCELLED … 16 UNAUTHENTICATED); usage errors \
      exit 64.
      """,
    subcommands: [Health.self, Call.self, Encode.self, Methods.self]
  )
}
