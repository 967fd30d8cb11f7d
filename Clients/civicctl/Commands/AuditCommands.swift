import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

struct AuditCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "The append-only, hash-chained audit log.",
    subcommands: [List.self, Verify.self]
  )

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List audit entries, oldest first, across pages up to --limit.",
      discussion: "--since and --until take 2026-03-01, 2026-03-01T08:00:00Z, '2026-03-01 08:00' or an age such as 24h or 7d."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Exact object, e.g. unit:S01.") var object: String?
    @Option(help: "Account login.") var account: String?
    @Option(help: "Entries at or after this time.", transform: TimeText.argument) var since: Date?
    @Option(help: "Entries before this time.", transform: TimeText.argument) var until: Date?
    @Option(help: "At most this many entries; 0 for all.") var limit: Int = 100

    func validate() throws {
      guard self.limit >= 0 else { throw ValidationError("--limit must not be negative") }
    }

    func run() async throws {
      do {
        var template = Civicgrid_V1_ListAuditRequest()
        template.object = self.object ?? ""
        template.account = self.account ?? ""
        if let since { template.since = Google_Protobuf_Timestamp(date: since) }
        if let until { template.until = Google_Protobuf_Timestamp(date: until) }
        let limit = self.limit
        let entries = try await ClientFactory.withServices(self.global) { [template] services in
          try await Paging.collect(limit: limit, maxPageSize: 1000, first: Int64(0), last: Int64(0)) { after, size in
            var request = template
            request.afterSeq = after
            request.pageSize = size
            let page = try await services.audit.listAudit(request, metadata: services.metadata, options: services.options)
            return (page.entries, page.nextAfterSeq)
          }
        }
        if self.global.json {
          var all = Civicgrid_V1_ListAuditResponse()
          all.entries = entries
          return try Output.json(all)
        }
        Output.text(Self.table(entries).render())
      } catch {
        Failure.exit(error)
      }
    }

    static func table(_ entries: [Civicgrid_V1_AuditEntry], timeZone: TimeZone = .current) -> Table {
      var table = Table([.init("SEQ", .right), .init("AT"), .init("ACCOUNT"), .init("METHOD"), .init("OBJECT"), .init("SUMMARY")])
      for entry in entries {
        let method = entry.method.hasPrefix("civicgrid.v1.") ? String(entry.method.dropFirst("civicgrid.v1.".count)) : entry.method
        table.append([
          String(entry.seq), Output.time(entry.hasAt ? entry.at : nil, timeZone: timeZone),
          entry.account.isEmpty ? "-" : entry.account, method, entry.object, entry.summary,
        ])
      }
      return table
    }
  }

  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Walk the hash chain: exit 0 and print the head hash when intact; print the first broken entry and exit 1 when not."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
      let result: Civicgrid_V1_VerifyAuditResponse
      do {
        result = try await ClientFactory.withServices(self.global) { services in
          try await services.audit.verifyAudit(Civicgrid_V1_VerifyAuditRequest(), metadata: services.metadata, options: services.options)
        }
        if self.global.json {
          try Output.json(result)
        } else if result.intact {
          Output.line("intact: \(result.entriesChecked) entries checked; head \(Output.hex(result.headHash))")
        } else {
          Output.line("broken: \(result.brokenCount) entries of \(result.entriesChecked) checked")
          for broken in result.breaks { Output.line("  seq \(broken.seq): \(broken.problem)") }
          if result.brokenCount > result.breaks.count { Output.line("  … and \(result.brokenCount - Int64(result.breaks.count)) more") }
        }
      } catch {
        Failure.exit(error)
      }
      if !result.intact { throw ExitCode(1) }
    }
  }
}

extension TimeText {
  /// For `@Option(transform:)`: a usage error saying how to write a time.
  static func argument(_ text: String) throws -> Date {
    do {
      return try parse(text)
    } catch let error as ParseError {
      throw ValidationError(error.description)
    }
  }
}
