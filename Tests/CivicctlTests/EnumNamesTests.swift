import ArgumentParser
import CivicProtos
import Testing

@testable import civicctl

@Suite("Unit kind and role names", .timeLimit(.minutes(1)))
struct EnumNamesTests {
  @Test(
    "kinds by name, any case, '-' or '_', or the proto name",
    arguments: [
      ("district", Civicgrid_V1_UnitKind.district), ("Community", .community), ("GRID", .grid),
      ("social-organisation", .socialOrganisation), ("social_organisation", .socialOrganisation),
      ("UNIT_KIND_CENTRE", .centre), ("village", .village),
    ]
  )
  func kinds(text: String, kind: Civicgrid_V1_UnitKind) throws {
    #expect(try Civicgrid_V1_UnitKind.parse(text) == kind)
  }

  @Test(
    "roles by name",
    arguments: [
      ("admin", Civicgrid_V1_Role.admin), ("grid-worker", .gridWorker), ("grid_worker", .gridWorker),
      ("ROLE_AUDITOR", .auditor), ("Mediator", .mediator),
    ]
  )
  func roles(text: String, role: Civicgrid_V1_Role) throws {
    #expect(try Civicgrid_V1_Role.parse(text) == role)
  }

  @Test("every name prints back as itself")
  func roundTrip() throws {
    for (kind, name) in Civicgrid_V1_UnitKind.names { #expect(try Civicgrid_V1_UnitKind.parse(name) == kind && kind.name == name) }
    for (role, name) in Civicgrid_V1_Role.names { #expect(try Civicgrid_V1_Role.parse(name) == role && role.name == name) }
    #expect(Civicgrid_V1_Role.names.count == Civicgrid_V1_Role.allCases.count - 1)
    #expect(Civicgrid_V1_UnitKind.names.count == Civicgrid_V1_UnitKind.allCases.count - 1)
  }

  @Test("an unknown name fails listing every known one", arguments: ["boss", "", "unspecified", "ROLE_UNSPECIFIED"])
  func unknownRole(text: String) {
    let error = #expect(throws: UnknownName.self) { try Civicgrid_V1_Role.parse(text) }
    #expect(
      error?.description
        == "unknown role '\(text)'; expected one of: admin, clerk, handler, supervisor, grid-worker, mediator, partner, auditor"
    )
  }

  @Test("as an option value the failure is a usage error")
  func usageError() {
    let error = #expect(throws: ValidationError.self) { try Civicgrid_V1_UnitKind.argument("county") }
    #expect(error?.message.hasPrefix("unknown unit kind 'county'; expected one of: district, street,") == true)
  }

  @Test("account create rejects an unknown role before calling anything")
  func parseCommand() {
    #expect(throws: (any Error).self) {
      _ = try AccountCommand.Create.parse(["--login", "a", "--name", "A", "--unit", "S01", "--role", "boss"])
    }
    #expect(throws: (any Error).self) {
      _ = try AccountCommand.Create.parse(["--login", "a", "--name", "A", "--unit", "S01"])
    }
    #expect(throws: Never.self) {
      let command = try AccountCommand.Create.parse([
        "--login", "a", "--name", "A", "--unit", "S01", "--role", "clerk", "--role", "grid-worker",
      ])
      #expect(command.role == [.clerk, .gridWorker])
    }
  }
}
