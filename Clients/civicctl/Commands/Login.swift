import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

struct Login: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a token with the server and remember server, transport and token.",
    discussion: """
      The token is checked with Directory/WhoAmI first; only a token the server accepts is \
      stored, in $CIVICCTL_CONFIG, else $XDG_CONFIG_HOME/civicctl/config.json, else \
      ~/.config/civicctl/config.json (file 0600, folder 0700). Without --token the token is \
      taken from CIVICCTL_TOKEN, else read as one line from standard input, so it need not \
      appear in the process list. Later commands use the stored server and token unless \
      --server, --token or CIVICCTL_TOKEN say otherwise; the stored token is only ever sent \
      to the stored server.
      """
  )

  @OptionGroup var global: GlobalOptions

  func run() async throws {
    do {
      let environment = ProcessInfo.processInfo.environment
      let config = ConfigFile(environment: environment)
      var token = self.global.token ?? environment["CIVICCTL_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
      if token == nil {
        if isatty(STDIN_FILENO) != 0 { Output.note("Token:") }
        token = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
      }
      guard let token, !token.isEmpty else {
        throw ValidationError("give the token with --token, CIVICCTL_TOKEN or on standard input")
      }
      // The stored login is not consulted: login names its own server (default or flags).
      let endpoint = try Endpoint.resolve(
        server: self.global.server,
        transport: self.global.transport,
        token: token,
        environment: environment,
        stored: nil
      )
      let me = try await ClientFactory.withServices(self.global, endpoint: endpoint) { services in
        try await services.directory.whoAmI(Civicgrid_V1_WhoAmIRequest(), metadata: services.metadata, options: services.options)
      }
      try config.save(StoredLogin(server: endpoint.server, transport: endpoint.transport, token: token, login: me.account.login))
      if self.global.json {
        try Output.json(me)
      } else {
        let roles = me.account.roles.map(\.name).joined(separator: ", ")
        Output.line("Logged in to \(endpoint.server) (\(endpoint.transport)) as \(me.account.login), unit \(me.unit.code), roles \(roles).")
        Output.line("Saved in \(config.path).")
      }
    } catch {
      Failure.exit(error)
    }
  }
}

struct Logout: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Forget the stored server and token (the token stays valid until revoked or expired)."
  )

  func run() async throws {
    do {
      let config = ConfigFile()
      if try config.remove() {
        Output.line("Logged out; removed \(config.path).")
      } else {
        Output.line("Not logged in (no \(config.path)).")
      }
    } catch {
      Failure.exit(error)
    }
  }
}

struct WhoAmI: AsyncParsableCommand {
  static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show the account the token belongs to.")

  @OptionGroup var global: GlobalOptions

  func run() async throws {
    do {
      let endpoint = try self.global.endpoint()
      let me = try await ClientFactory.withServices(self.global, endpoint: endpoint) { services in
        try await services.directory.whoAmI(Civicgrid_V1_WhoAmIRequest(), metadata: services.metadata, options: services.options)
      }
      if self.global.json { return try Output.json(me) }
      Output.text(
        Table.keyValues([
          ("Login", me.account.login),
          ("Name", me.account.displayName),
          ("Unit", "\(me.unit.code) \(me.unit.name) (\(me.unit.kind.name))"),
          ("Path", me.unit.path),
          ("Roles", me.account.roles.map(\.name).joined(separator: ", ")),
          ("Server", "\(endpoint.server) (\(endpoint.transport))"),
        ])
      )
    } catch {
      Failure.exit(error)
    }
  }
}
