import ArgumentParser
import Testing

@testable import civicctl

/// civicctl's TLS options sit in every command's global options, so no command may use their
/// names for anything else (ArgumentParser refuses a command with two `--key`s at run time).
@Suite("civicctl TLS options", .timeLimit(.minutes(1)))
struct TLSOptionsTests {
  /// Every command type reachable from the root.
  static func commands(_ root: any ParsableCommand.Type = Civicctl.self) -> [any ParsableCommand.Type] {
    [root] + root.configuration.subcommands.flatMap { Self.commands($0) }
  }

  @Test("no command declares an option name twice (the TLS flags included)")
  func namesAreUnique() {
    for command in Self.commands() {
      do {
        _ = try command.parse(["--help"])
      } catch {
        let message = command.fullMessage(for: error)
        #expect(!message.contains("Multiple"), "\(command): \(message)")
      }
    }
  }

  @Test("appointment book takes --idempotency-key beside the TLS --cert and --key")
  func bookTakesBoth() throws {
    let book = try AppointmentCommand.Book.parse([
      "--centre", "C1", "--item", "I1", "--date", "2026-12-07", "--start", "09:00", "--name", "A",
      "--idempotency-key", "k-1", "--cert", "p.pem", "--key", "p.key", "--ca-file", "ca.pem",
    ])
    #expect(book.idempotencyKey == "k-1")
    #expect(book.global.tls.settings == ClientTLSSettings(caFile: "ca.pem", cert: "p.pem", key: "p.key", serverName: nil))
  }

  @Test("any TLS flag turns TLS on; none leaves the command plaintext; --cert needs --key")
  func tlsOnlyWhenAsked() throws {
    #expect(try GlobalOptions.parse([]).tls.settings == nil)
    #expect(try GlobalOptions.parse(["--tls"]).tls.settings == ClientTLSSettings())
    #expect(try GlobalOptions.parse(["--server-name", "grid.test"]).tls.settings?.serverName == "grid.test")
    #expect(throws: (any Error).self) { try GlobalOptions.parse(["--cert", "p.pem"]) }
  }
}
