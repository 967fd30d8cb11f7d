import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

// civicctl person / household: basic information collected once (docs/PEOPLE.md).

extension Civicgrid_V1_PersonTagKind: NamedEnum {
  static var what: String { "tag" }
  static var protoPrefix: String { "PERSON_TAG_KIND_" }
  static var names: [(Self, String)] {
    [
      (.difficulty, "difficulty"), (.special, "special"), (.keyGroup, "key-group"), (.floating, "floating"),
      (.elderlyAlone, "elderly-alone"), (.disabled, "disabled"), (.veteran, "veteran"), (.leftBehindMinor, "left-behind-minor"),
    ]
  }
}

extension Civicgrid_V1_InformationSource: NamedEnum {
  static var what: String { "source" }
  static var protoPrefix: String { "INFORMATION_SOURCE_" }
  static var names: [(Self, String)] {
    [(.gridVisit, "grid-visit"), (.window, "window"), (.departmentImport, "department-import"), (.selfDeclared, "self-declared")]
  }
}

extension Civicgrid_V1_PersonRowOutcome: NamedEnum {
  static var what: String { "outcome" }
  static var protoPrefix: String { "PERSON_ROW_OUTCOME_" }
  static var names: [(Self, String)] {
    [(.created, "created"), (.merged, "merged"), (.pendingCorrection, "pending-correction"), (.rejected, "rejected")]
  }
}

struct PersonCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "person",
    abstract: "Residents collected once: find, show (masked unless --purpose), import a department's CSV, correct a field.",
    subcommands: [Find.self, Show.self, Import.self, Correct.self]
  )

  static func table(_ people: [Civicgrid_V1_Person]) -> Table {
    var table = Table([.init("ID", .right), .init("NAME"), .init("ID NUMBER"), .init("GRID"), .init("HOUSEHOLD"), .init("TAGS"), .init("PENDING", .right)])
    for p in people {
      let tags = p.tags.filter(\.active).map { $0.kind.name + ($0.subtype.isEmpty ? "" : "/\($0.subtype)") }
      table.append([
        "\(p.personID)", p.name, p.idNumber, p.gridUnitCode, p.householdCode,
        (tags + (p.withheldTags > 0 ? ["+\(p.withheldTags) withheld"] : [])).joined(separator: " "), "\(p.pendingCorrections)",
      ])
    }
    return table
  }

  static func details(_ p: Civicgrid_V1_Person) -> String {
    let source = Dictionary(p.provenance.map { ($0.field, $0.provenance) }, uniquingKeysWith: { a, _ in a })
    func value(_ field: String, _ text: String) -> (String, String) {
      guard let from = source[field], !text.isEmpty else { return (field, text) }
      return (field, "\(text)   [\(from.source.name), trust \(from.trust), \(from.collectedBy), \(Output.time(from.collectedAt))]")
    }
    var lines = Table.keyValues([
      ("person", "\(p.personID)"), ("id_number", p.idNumber), value("name", p.name),
      value("gender", p.gender == .unspecified ? "" : (p.gender == .male ? "male" : "female")), value("birth_date", p.birthDate),
      value("phone", p.phone), value("household_code", p.householdCode), value("grid_unit_code", p.gridUnitCode), value("address", p.address),
      value("residence", p.residence == .unspecified ? "" : (p.residence == .registered ? "registered" : "floating")),
      value("employment", p.employment), ("pending corrections", "\(p.pendingCorrections)"),
      ("shown in full", p.unmasked.isEmpty ? "nothing (give --purpose)" : p.unmasked.joined(separator: ", ")),
    ])
    if !p.tags.isEmpty || p.withheldTags > 0 {
      var tags = Table("TAG", "FROM", "UNTIL", "ACTIVE", "SOURCE")
      for t in p.tags {
        tags.append([t.kind.name + (t.subtype.isEmpty ? "" : "/\(t.subtype)"), t.validFrom, t.validUntil, t.active ? "yes" : "no", t.provenance.source.name])
      }
      lines += "\n\n" + tags.render() + (p.withheldTags > 0 ? "\n(\(p.withheldTags) sensitive tags withheld)" : "")
    }
    if !p.history.isEmpty {
      var history = Table("FIELD", "OLD", "NEW", "BY", "SOURCE", "AT")
      for h in p.history {
        history.append([h.field, h.oldValue, h.newValue, h.provenance.collectedBy, h.provenance.source.name, Output.time(h.provenance.collectedAt)])
      }
      lines += "\n\n" + history.render()
    }
    return lines
  }

  struct Find: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "People in your scope by name prefix, full ID number, grid or tag (masked).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A name prefix, or a full ID number (roles that see ID numbers).") var query: String?
    @Option(help: "Only people of this grid (or below).") var grid: String?
    @Option(help: "Only people with this tag in force.", transform: Civicgrid_V1_PersonTagKind.argument) var tag: Civicgrid_V1_PersonTagKind?
    @Option(help: "At most this many (1–200).") var limit: Int32 = 50

    func run() async throws {
      do {
        var request = Civicgrid_V1_FindPeopleRequest()
        request.query = self.query ?? ""
        request.gridUnitCode = self.grid ?? ""
        request.tag = self.tag ?? .unspecified
        request.pageSize = self.limit
        let found = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.people.findPeople(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(found) }
        Output.text(PersonCommand.table(found.people).render())
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "One person with provenance, tags and history.",
      discussion: "Sensitive fields are masked unless --purpose is given by a role the privacy table admits; such a read is audited."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The person id.") var person: Int64
    @Option(help: "Why you need sensitive fields in full (audited).") var purpose: String?

    func run() async throws {
      do {
        var request = Civicgrid_V1_GetPersonRequest()
        request.personID = self.person
        request.purpose = self.purpose ?? ""
        let person = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.people.getPerson(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(person) }
        Output.text(PersonCommand.details(person))
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Correct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set one field after checking documents (clerks); settles its pending corrections.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The person id.") var person: Int64
    @Option(help: "The field: name, gender, birth_date, phone, household_code, grid_unit_code, address, residence, employment.") var field: String
    @Option(help: "The new value.") var value: String
    @Option(help: "Why (which document was checked).") var reason: String

    func run() async throws {
      do {
        var request = Civicgrid_V1_CorrectPersonRequest()
        request.personID = self.person
        request.field = self.field
        request.value = self.value
        request.reason = self.reason
        let person = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.people.correctPerson(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(person) }
        Output.line("Person \(person.personID): \(self.field) corrected; \(person.pendingCorrections) corrections pending.")
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Import a department's CSV list in batches, with a report of every rejected row.",
      discussion: """
        The header names the columns: \(PersonCSV.columns.joined(separator: ", ")) (id_number required). \
        Batch keys are the file's name and a hash of its bytes with the batch number, so running the \
        same command again after a dropped connection resumes: batches already imported answer their \
        first report and write nothing.
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The CSV file.") var file: String
    @Option(help: "Rows per batch (1–5000).") var batchSize: Int = 1000
    @Option(help: "Source: department-import (default) or self-declared.", transform: Civicgrid_V1_InformationSource.argument)
    var source: Civicgrid_V1_InformationSource?
    @Option(help: "Batch key prefix (default: the file's name and content hash).") var keyPrefix: String?

    func validate() throws {
      guard (1...5000).contains(self.batchSize) else { throw ValidationError("--batch-size must be 1–5000") }
    }

    func run() async throws {
      do {
        let data = try Data(contentsOf: URL(fileURLWithPath: self.file))
        let rows = try PersonCSV.rows(String(decoding: data, as: UTF8.self))
        let prefix = self.keyPrefix ?? PersonCSV.keyPrefix(path: self.file, data: data)
        let source = self.source ?? .departmentImport
        let batches = stride(from: 0, to: rows.count, by: self.batchSize).map { start in
          var batch = Civicgrid_V1_ImportPeopleRequest()
          batch.batchKey = "\(prefix)-\(start / self.batchSize + 1)"
          batch.source = source
          batch.rows = rows[start..<min(start + self.batchSize, rows.count)].map(\.input)
          return batch
        }
        let response = try await ClientFactory.withServices(self.global) { [batches] services in
          try await services.people.importPeople(metadata: services.metadata, options: services.options) { writer in
            for batch in batches { try await writer.write(batch) }
          }
        }
        if self.global.json { return try Output.json(response) }
        let replayed = response.batches.filter(\.replayed).count
        Output.line(
          "Imported \(rows.count) rows in \(batches.count) batches (\(replayed) already imported): created \(response.created), "
            + "merged \(response.merged), pending correction \(response.pendingCorrection), rejected \(response.rejected)."
        )
        var rejected = Table([.init("LINE", .right), .init("FIELD"), .init("REASON")])
        for (b, batch) in response.batches.enumerated() {
          for row in batch.rows where row.outcome == .rejected {
            let line = rows[b * self.batchSize + Int(row.row)].line
            let field = row.field.split(separator: ".", maxSplits: 1).last.map(String.init) ?? row.field
            rejected.append(["\(line)", field, row.reason])
          }
        }
        if response.rejected > 0 { Output.text(rejected.render()) }
      } catch {
        Failure.exit(error)
      }
    }
  }
}

struct HouseholdCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "household",
    abstract: "Households and their members.",
    subcommands: [Show.self]
  )

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A household and its members in your scope (masked unless --purpose).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The household code.") var household: String
    @Option(help: "Why you need sensitive fields in full (audited).") var purpose: String?

    func run() async throws {
      do {
        var request = Civicgrid_V1_GetHouseholdRequest()
        request.householdCode = self.household
        request.purpose = self.purpose ?? ""
        let household = try await ClientFactory.withServices(self.global) { [request] services in
          try await services.people.getHousehold(request, metadata: services.metadata, options: services.options)
        }
        if self.global.json { return try Output.json(household) }
        Output.line("Household \(household.householdCode) in grid \(household.gridUnitCode): \(household.members.count) members")
        Output.text(PersonCommand.table(household.members).render())
      } catch {
        Failure.exit(error)
      }
    }
  }
}
