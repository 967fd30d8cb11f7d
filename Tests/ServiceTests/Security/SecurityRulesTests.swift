import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// The faults of the outside security test (issue 11), each reproduced as it was found, over a
/// real server and the demo district: every test here failed before its rule was fixed.
@Suite("Security rules end to end", .serialized, .timeLimit(.minutes(10)))
struct SecurityRulesTests {

  static func code(_ body: () async throws -> Void) async -> (code: RPCError.Code, message: String)? {
    do {
      try await body()
      return nil
    } catch let error as RPCError {
      return (error.code, error.message)
    } catch {
      return (.unknown, "\(error)")
    }
  }

  static func createAccount(_ login: String, unit: String, roles: [Role]) -> Civicgrid_V1_CreateAccountRequest {
    .with {
      $0.login = login
      $0.displayName = login
      $0.unitCode = unit
      $0.roles = roles.map(\.proto)
    }
  }

  @Test("granting: a street admin grants only roles it holds, in its street; every pair of roles")
  func granting() async throws {
    try await ServiceHarness.withServer { h in
      // The reported escalation: admin of QH-S1 makes [admin, auditor] → whole district.
      let streetAdmin = try await h.account("s1-admin", unit: "QH-S1", roles: [.admin])
      let escalation = await Self.code {
        _ = try await h.directory.createAccount(Self.createAccount("s1-both", unit: "QH-S1", roles: [.admin, .auditor]), metadata: .bearer(streetAdmin))
      }
      #expect(escalation?.code == .permissionDenied && escalation?.message.contains("auditor") == true)
      let beside = await Self.code {
        _ = try await h.directory.createAccount(Self.createAccount("s2-admin", unit: "QH-S2", roles: [.admin]), metadata: .bearer(streetAdmin))
      }
      #expect(beside?.code == .notFound)
      // A token for the district admin stays out of reach.
      let token = await Self.code {
        _ = try await h.directory.issueToken(.with { $0.login = "admin" }, metadata: .bearer(streetAdmin))
      }
      #expect(token?.code == .notFound)

      // Every pair: a street account holding admin and one more role creates accounts with
      // every set of one or two roles in its own community.
      var mismatches: [String] = []
      var created = 0
      for (index, extra) in Role.allCases.enumerated() {
        let granterRoles: Set<Role> = [.admin, extra]
        let granter = try await h.account("granter-\(index)", unit: "QH-S1", roles: Array(granterRoles))
        for (number, granted) in GrantRulesTests.roleSets.enumerated() {
          let login = "g\(index)-\(number)"
          let outcome = await Self.code {
            _ = try await h.directory.createAccount(Self.createAccount(login, unit: "QH-S1-C1", roles: granted.sorted()), metadata: .bearer(granter))
          }
          let mayGrant = !granted.contains(.auditor) && granted.isSubset(of: granterRoles)
          if mayGrant != (outcome == nil) || (!mayGrant && outcome?.code != .permissionDenied) {
            mismatches.append("\(granterRoles.sorted()) → \(granted.sorted()): \(outcome.map { "\($0.code) \($0.message)" } ?? "OK")")
          }
          if outcome == nil { created += 1 }
        }
      }
      #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
      #expect(created > 0)

      // An admin cannot hold a token of an account that has more than it could grant.
      _ = try await h.account("s1-clerk-admin", unit: "QH-S1-C1", roles: [.admin, .clerk])
      let more = await Self.code {
        _ = try await h.directory.issueToken(.with { $0.login = "s1-clerk-admin" }, metadata: .bearer(streetAdmin))
      }
      #expect(more?.code == .permissionDenied)

      // The district admin grants the auditor grant, alone.
      _ = try await h.directory.createAccount(Self.createAccount("auditor2", unit: "QH", roles: [.auditor]), metadata: .bearer(h.adminToken))
    }
  }

  @Test("scope from the unit: an account holding auditor beside a writing role reads its unit's subtree only")
  func auditorNeverCombined() async throws {
    try await ServiceHarness.withServer { h in
      // Held before the rule (written straight into the database, as an old account would be).
      let mixed = try await h.account("s1-mixed", unit: "QH-S1", roles: [.clerk, .auditor])
      let other = await Self.code { _ = try await h.directory.getUnit(.with { $0.code = "QH-S2" }, metadata: .bearer(mixed)) }
      #expect(other?.code == .notFound)
      let own = try await h.directory.getUnit(.with { $0.code = "QH-S1-C1" }, metadata: .bearer(mixed))
      #expect(own.code == "QH-S1-C1")
      let auditor = try await h.token(for: "auditor")
      let anywhere = try await h.directory.getUnit(.with { $0.code = "QH-S2" }, metadata: .bearer(auditor))
      #expect(anywhere.code == "QH-S2")
    }
  }

  @Test("the audit log is read within the caller's scope; only a district-wide scope verifies the chain")
  func auditScope() async throws {
    try await ServiceHarness.withServer { h in
      let streetAdmin = try await h.account("s1-admin", unit: "QH-S1", roles: [.admin])
      _ = try await h.directory.createUnit(
        .with {
          $0.code = "QH-S1-C9"
          $0.name = "New Community"
          $0.kind = .community
          $0.parentCode = "QH-S1"
          $0.responsiblePerson = "Wang"
        },
        metadata: .bearer(streetAdmin)
      )
      let mine = try await h.audit.listAudit(.init(), metadata: .bearer(streetAdmin))
      #expect(!mine.entries.isEmpty)
      #expect(mine.entries.allSatisfy { $0.account == "s1-admin" }, "\(Set(mine.entries.map(\.account)))")
      let all = try await h.audit.listAudit(.init(), metadata: .bearer(try await h.token(for: "auditor")))
      #expect(Set(all.entries.map(\.account)).count > 1)
      let verify = await Self.code { _ = try await h.audit.verifyAudit(.init(), metadata: .bearer(streetAdmin)) }
      #expect(verify?.code == .permissionDenied)
      #expect(try await h.audit.verifyAudit(.init(), metadata: .bearer(try await h.token(for: "auditor"))).intact)
    }
  }

  @Test("shared objects: a street admin changes no calendar and no catalogue item naming units beyond its street")
  func sharedObjects() async throws {
    try await ServiceHarness.withServer { h in
      let streetAdmin = try await h.account("s1-admin", unit: "QH-S1", roles: [.admin])
      let calendar = Civicgrid_V1_Calendar.Client(wrapping: h.client)
      let current = try await calendar.getCalendar(.init(), metadata: .bearer(streetAdmin))
      let setDay = await Self.code {
        _ = try await calendar.setDay(
          .with {
            $0.day.date = "2030-01-02"
            $0.day.kind = .holiday
            $0.day.name = "street holiday"
            $0.expectedVersion = current.version
          },
          metadata: .bearer(streetAdmin)
        )
      }
      #expect(setDay?.code == .permissionDenied)

      let catalog = Civicgrid_V1_Catalog.Client(wrapping: h.client)
      let items = try await catalog.listItems(.with { $0.publishedOnly = true }, metadata: .bearer(streetAdmin))
      let item = try #require(items.items.first)
      var definition = try #require(item.versions.last).definition
      let draft = await Self.code {
        _ = try await catalog.saveDraft(
          .with {
            $0.definition = definition
            $0.expectedItemVersion = item.version
          },
          metadata: .bearer(streetAdmin)
        )
      }
      #expect(draft?.code == .invalidArgument && draft?.message.contains("does not exist") == true, "\(String(describing: draft))")
      let retire = await Self.code {
        _ = try await catalog.retireVersion(
          .with {
            $0.code = item.code
            $0.version = item.versions.last!.version
            $0.expectedItemVersion = item.version
          },
          metadata: .bearer(streetAdmin)
        )
      }
      #expect(retire?.code == .permissionDenied)
      definition.code = "S1-ONLY"
      definition.leadUnitCode = "QH-S1-CSC"
      for index in definition.stages.indices { definition.stages[index].unitCodes = ["QH-S1-CSC"] }
      let own = await Self.code {
        _ = try await catalog.saveDraft(.with { $0.definition = definition }, metadata: .bearer(streetAdmin))
      }
      #expect(own == nil, "an item of the street's own units is the street's: \(String(describing: own))")
    }
  }

  @Test("numbers from a request are range-checked where converted: the reported traps answer INVALID_ARGUMENT naming the field")
  func reportedTraps() async throws {
    try await ServiceHarness.withServer { h in
      let calendar = Civicgrid_V1_Calendar.Client(wrapping: h.client)
      for seconds: Int64 in [.max, .min, 9_220_000_000_000_000_000, -9_220_000_000_000_000_000] {
        let deadline = await Self.code {
          _ = try await calendar.computeDeadline(
            .with {
              $0.start = .init(seconds: seconds, nanos: 0)
              $0.workingDays = 5
            },
            metadata: .bearer(h.adminToken)
          )
        }
        #expect(deadline?.code == .invalidArgument && deadline?.message.hasPrefix("start:") == true)
      }
      let appointments = Civicgrid_V1_Appointments.Client(wrapping: h.client)
      let book = await Self.code {
        _ = try await appointments.bookAppointment(
          .with {
            $0.centreCode = "QH-GSC"
            $0.itemCode = "QH-CA-001"
            $0.applicant.name = "Test"
            $0.applicant.idNumber = "110101199001011234"
            $0.applicant.phone = "13800000000"
            $0.startsAt = .init(seconds: 9_220_000_000_000_000_000, nanos: 0)
            $0.idempotencyKey = "trap-1"
          },
          metadata: .bearer(try await h.token(for: "partner"))
        )
      }
      #expect(book?.code == .invalidArgument && book?.message.hasPrefix("starts_at:") == true, "\(String(describing: book))")
      let audit = await Self.code {
        _ = try await h.audit.listAudit(.with { $0.since = .init(seconds: 10_000_000_000_000, nanos: 0) }, metadata: .bearer(h.adminToken))
      }
      #expect(audit?.code == .invalidArgument && audit?.message.hasPrefix("since:") == true)

      // Database refusals that did not name the field are refused before the database.
      let cases = Civicgrid_V1_Cases.Client(wrapping: h.client)
      let from = await Self.code {
        _ = try await cases.listCases(.with { $0.submittedFrom = .init(seconds: 400_000_000_000, nanos: 0) }, metadata: .bearer(h.adminToken))
      }
      #expect(from?.code == .invalidArgument && from?.message.hasPrefix("submitted_from:") == true)
      let token = await Self.code {
        _ = try await cases.listTasks(.with { $0.pageToken = "nan_1" }, metadata: .bearer(try await h.token(for: "handler")))
      }
      #expect(token?.code == .invalidArgument && token?.message.hasPrefix("page_token:") == true)
      let visit = await Self.code {
        _ = try await appointments.requestHomeVisit(
          .with {
            $0.unitCode = "QH-S1-C1"
            $0.itemCode = "QH-CA-001"
            $0.applicant.name = "Test"
            $0.applicant.idNumber = "110101199001011234"
            $0.applicant.phone = "13800000000"
            $0.address = "1 Road"
            $0.preferredDate = "0000-02-29"
          },
          metadata: .bearer(try await h.token(for: "partner"))
        )
      }
      #expect(visit?.code == .invalidArgument && visit?.message.hasPrefix("preferred_date:") == true, "\(String(describing: visit))")
    }
  }

  @Test("strings: a NUL in a partner's unit_code is refused, not stored cut; the chain stays intact; echoes are bounded")
  func strings() async throws {
    try await ServiceHarness.withServer { h in
      let cases = Civicgrid_V1_Cases.Client(wrapping: h.client)
      let nul = await Self.code {
        _ = try await cases.submitApplication(
          .with {
            $0.itemCode = "QH-CA-001"
            $0.unitCode = "QH-SO1\0zz"
            $0.applicant.name = "Test"
          },
          metadata: .bearer(try await h.token(for: "partner"))
        )
      }
      #expect(nul?.code == .invalidArgument && nul?.message == "unit_code: contains a NUL character")
      let afterRequest = try await h.audit.verifyAudit(.init(), metadata: .bearer(h.adminToken))
      #expect(afterRequest.intact)

      // The store refuses what libpq would cut, whichever path a string takes to it.
      let stored = await Self.code {
        try await h.store.transaction { connection in
          try await AuditLog.append(on: connection, command: "test", object: "x\0y", summary: "cut")
        }
      }
      #expect(stored != nil)
      let afterStore = try await h.audit.verifyAudit(.init(), metadata: .bearer(h.adminToken))
      #expect(afterStore.intact)

      // A long value quoted back in an error is cut.
      let long = String(repeating: "Q", count: 60_000)
      let echo = await Self.code {
        _ = try await cases.listTasks(.with { $0.unitCode = long }, metadata: .bearer(try await h.token(for: "handler")))
      }
      #expect(echo?.code == .notFound)
      #expect((echo?.message.utf8.count ?? .max) <= BoundaryInterceptor.maxErrorMessageBytes)
    }
  }
}
