import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

struct AccountCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "account",
    abstract: "Accounts bound to units with roles, and their bearer tokens.",
    subcommands: [List.self, Create.self, TokenCommand.self]
  )

  static let roleNames = Civicgrid_V1_Role.names.map(\.1).joined(separator: ", ")

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the accounts of a subtree (all pages).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Subtree root unit code (default: your own scope).") var unit: String?
    @Option(help: "Only accounts holding this role: \(AccountCommand.roleNames).", transform: Civicgrid_V1_Role.argument)
    var role: Civicgrid_V1_Role?
    @Option(help: "At most this many accounts (default all).") var limit: Int?

    func validate() throws {
      if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
      do {
        let (unit, role, limit) = (self.unit ?? "", self.role ?? .unspecified, self.limit)
        let accounts = try await ClientFactory.withServices(self.global) { services in
          try await Paging.collect(limit: limit, maxPageSize: Paging.directoryPageSize, first: "", last: "") { token, size in
            var request = Civicgrid_V1_ListAccountsRequest()
            request.unitCode = unit
            request.role = role
            request.pageSize = size
            request.pageToken = token
            let page = try await services.directory.listAccounts(request, metadata: services.metadata, options: services.options)
            return (page.accounts, page.nextPageToken)
          }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListAccountsResponse()
          all.accounts = accounts
          return try Output.json(all)
        }
        Output.text(Self.table(accounts).render())
      } catch {
        Failure.exit(error)
      }
    }

    static func table(_ accounts: [Civicgrid_V1_Account]) -> Table {
      var table = Table("LOGIN", "NAME", "UNIT", "ROLES", "STATE")
      for account in accounts {
        table.append([
          account.login, account.displayName, account.unitCode, account.roles.map(\.name).joined(separator: ","),
          account.disabled ? "disabled" : "active",
        ])
      }
      return table
    }
  }

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create an account bound to a unit.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Login: 1–64 letters, digits, '-', '_', '.', '@'.") var login: String
    @Option(help: "Display name.") var name: String
    @Option(help: "Unit code.") var unit: String
    @Option(help: "Role (repeatable): \(AccountCommand.roleNames).", transform: Civicgrid_V1_Role.argument)
    var role: [Civicgrid_V1_Role] = []

    func validate() throws {
      guard !self.role.isEmpty else { throw ValidationError("give at least one --role (\(AccountCommand.roleNames))") }
    }

    func run() async throws {
      do {
        var request = Civicgrid_V1_CreateAccountRequest()
        request.login = self.login
        request.displayName = self.name
        request.unitCode = self.unit
        request.roles = self.role
        let account = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.directory.createAccount(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(account) }
        Output.line(
          "Created account \(account.login) in \(account.unitCode) with roles \(account.roles.map(\.name).joined(separator: ", "))."
        )
      } catch {
        Failure.exit(error)
      }
    }
  }
}

struct TokenCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token",
    abstract: "Issue, revoke and list an account's bearer tokens.",
    subcommands: [Issue.self, Revoke.self, List.self]
  )

  struct Issue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Issue a token; its secret is printed this once and never again."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Account login.") var login: String
    @Option(help: "A label to recognise the token by.") var label: String?
    @Option(help: "Lifetime, e.g. 30d, 12h, 1d12h (default 30d, at most 366d).", transform: DurationText.argument)
    var ttl: Int64?

    func run() async throws {
      do {
        var request = Civicgrid_V1_IssueTokenRequest()
        request.login = self.login
        request.label = self.label ?? ""
        request.ttlSeconds = self.ttl ?? 0
        let issued = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.directory.issueToken(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(issued) }
        Output.text(
          Table.keyValues([
            ("Token", String(issued.token.id)),
            ("Account", issued.token.login),
            ("Label", issued.token.label),
            ("Expires", Output.time(issued.token.hasExpiresAt ? issued.token.expiresAt : nil)),
            ("Secret", issued.secret),
          ])
        )
        Output.note("The secret is shown only this once; it cannot be read back later.")
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Revoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revoke a token at once.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Token id (see `civicctl account token list LOGIN`).") var id: Int64

    func run() async throws {
      do {
        var request = Civicgrid_V1_RevokeTokenRequest()
        request.id = self.id
        let token = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.directory.revokeToken(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(token) }
        Output.line("Revoked token \(token.id) of \(token.login).")
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List an account's tokens (never their secrets).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Account login.") var login: String

    func run() async throws {
      do {
        var request = Civicgrid_V1_ListTokensRequest()
        request.login = self.login
        let response = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.directory.listTokens(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(response) }
        Output.text(Self.table(response.tokens, now: Date()).render())
      } catch {
        Failure.exit(error)
      }
    }

    static func table(_ tokens: [Civicgrid_V1_Token], now: Date) -> Table {
      var table = Table([.init("ID", .right), .init("LABEL"), .init("ISSUED"), .init("EXPIRES"), .init("STATE")])
      for token in tokens {
        let state: String
        if token.hasRevokedAt {
          state = "revoked \(Output.time(token.revokedAt))"
        } else if token.hasExpiresAt, token.expiresAt.date <= now {
          state = "expired"
        } else {
          state = "live"
        }
        table.append([
          String(token.id), token.label, Output.time(token.hasIssuedAt ? token.issuedAt : nil),
          Output.time(token.hasExpiresAt ? token.expiresAt : nil), state,
        ])
      }
      return table
    }
  }
}
