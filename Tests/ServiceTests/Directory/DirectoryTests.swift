import CivicProtos
import CivicServices
import CivicStore
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Directory service", .timeLimit(.minutes(5)))
struct DirectoryTests {
  @Test("create a unit, read it back, list a subtree in tree order with pages")
  func createAndList() async throws {
    try await ServiceHarness.withServer { harness in
      let admin = Metadata.bearer(harness.adminToken)
      let created = try await harness.directory.createUnit(
        .with {
          $0.code = "QH-S1-C1-G4"
          $0.name = "Heping Grid 4"
          $0.kind = .grid
          $0.parentCode = "QH-S1-C1"
          $0.responsiblePerson = "Qian Duo"
        },
        metadata: admin
      )
      #expect(created.path == "QH/QH-S1/QH-S1-C1/QH-S1-C1-G4")
      #expect(created.version == 1)
      let read = try await harness.directory.getUnit(.with { $0.code = "QH-S1-C1-G4" }, metadata: admin)
      #expect(read == created)

      var codes: [String] = []
      var token = ""
      repeat {
        let page = try await harness.directory.listUnits(
          .with {
            $0.rootCode = "QH-S1"
            $0.pageSize = 4
            $0.pageToken = token
          },
          metadata: admin
        )
        #expect(page.units.count <= 4)
        codes += page.units.map(\.code)
        token = page.nextPageToken
      } while !token.isEmpty
      // The street, its 3 communities, their 9+1 grids and its service centre.
      #expect(codes.count == 15)
      #expect(codes.first == "QH-S1")
      #expect(Set(codes).count == codes.count, "no unit twice across pages")
      #expect(codes.contains("QH-S1-C1-G4"))
      #expect(!codes.contains { $0.hasPrefix("QH-S2") })
    }
  }

  @Test("list tokens are opaque: a made-up or edited one answers INVALID_ARGUMENT on page_token, on units and accounts")
  func badPageTokens() async throws {
    try await ServiceHarness.withServer { harness in
      let admin = Metadata.bearer(harness.adminToken)
      let page = try await harness.directory.listUnits(.with { $0.pageSize = 2 }, metadata: admin)
      let issued = page.nextPageToken
      #expect(!issued.isEmpty && !issued.contains("QH"), "the token does not show the key")
      var characters = Array(issued)
      characters[characters.count / 2] = characters[characters.count / 2] == "A" ? "B" : "A"
      let edited = String(characters)
      for token in ["/QH/", "QH-S1", edited] {
        let units = await #expect(throws: RPCError.self) {
          try await harness.directory.listUnits(.with { $0.pageToken = token }, metadata: admin)
        }
        #expect(units?.code == .invalidArgument && units?.message == "page_token: is not a token this server issued", "\(token)")
        let accounts = await #expect(throws: RPCError.self) {
          try await harness.directory.listAccounts(.with { $0.pageToken = token }, metadata: admin)
        }
        #expect(accounts?.code == .invalidArgument, "\(token)")
      }
      // The issued token continues where the first page ended.
      let next = try await harness.directory.listUnits(.with { $0.pageSize = 2; $0.pageToken = issued }, metadata: admin)
      #expect(Set(next.units.map(\.code)).isDisjoint(with: page.units.map(\.code)))
    }
  }

  @Test("an account sees its own subtree only; outside it answers NOT_FOUND like a missing unit")
  func scope() async throws {
    try await ServiceHarness.withServer { harness in
      let streetAdmin = Metadata.bearer(try await harness.account("s1admin", unit: "QH-S1", roles: [.admin]))
      let inside = try await harness.directory.getUnit(.with { $0.code = "QH-S1-C2" }, metadata: streetAdmin)
      #expect(inside.code == "QH-S1-C2")

      let outside = await #expect(throws: RPCError.self) {
        try await harness.directory.getUnit(.with { $0.code = "QH-S2-C1" }, metadata: streetAdmin)
      }
      let missing = await #expect(throws: RPCError.self) {
        try await harness.directory.getUnit(.with { $0.code = "QH-S9-C1" }, metadata: streetAdmin)
      }
      #expect(outside?.code == .notFound)
      #expect(missing?.code == .notFound)
      #expect(outside?.message == "code: unit 'QH-S2-C1' not found")

      // Nor may it create under, or list, someone else's subtree.
      let create = await #expect(throws: RPCError.self) {
        try await harness.directory.createUnit(
          .with {
            $0.code = "X1"
            $0.name = "x"
            $0.kind = .grid
            $0.parentCode = "QH-S2-C1"
          },
          metadata: streetAdmin
        )
      }
      #expect(create?.code == .notFound)
      let listed = try await harness.directory.listUnits(.with { $0.pageSize = 500 }, metadata: streetAdmin)
      #expect(listed.units.allSatisfy { $0.path.hasPrefix("QH/QH-S1") })
      #expect(listed.units.count == 14)

      // An auditor reads the whole directory.
      let auditor = Metadata.bearer(try await harness.token(for: "auditor"))
      #expect(try await harness.directory.getUnit(.with { $0.code = "QH-S2-C1" }, metadata: auditor).code == "QH-S2-C1")
    }
  }

  @Test("bad input answers INVALID_ARGUMENT naming the field, and writes nothing")
  func validation() async throws {
    try await ServiceHarness.withServer { harness in
      let admin = Metadata.bearer(harness.adminToken)
      let cases: [(String, Civicgrid_V1_CreateUnitRequest)] = [
        (
          "code",
          .with {
            $0.name = "n"; $0.kind = .grid; $0.parentCode = "QH-S1-C1"
          }
        ),
        (
          "code",
          .with {
            $0.code = "has space"; $0.name = "n"; $0.kind = .grid; $0.parentCode = "QH-S1-C1"
          }
        ),
        (
          "code",
          .with {
            $0.code = "a/b"; $0.name = "n"; $0.kind = .grid; $0.parentCode = "QH-S1-C1"
          }
        ),
        (
          "name",
          .with {
            $0.code = "G9"; $0.kind = .grid; $0.parentCode = "QH-S1-C1"
          }
        ),
        (
          "name",
          .with {
            $0.code = "G9"; $0.name = "bell\u{07}"; $0.kind = .grid; $0.parentCode = "QH-S1-C1"
          }
        ),
        (
          "kind",
          .with {
            $0.code = "G9"; $0.name = "n"; $0.parentCode = "QH-S1-C1"
          }
        ),
        (
          "parent_code",
          .with {
            $0.code = "G9"; $0.name = "n"; $0.kind = .grid
          }
        ),
      ]
      let before = try await harness.store.query("SELECT count(*) FROM units").scalar(Int.self)
      for (field, request) in cases {
        let error = await #expect(throws: RPCError.self) { try await harness.directory.createUnit(request, metadata: admin) }
        #expect(error?.code == .invalidArgument, "\(request)")
        #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "") should name \(field)")
      }
      // A grid cannot hang under a department.
      let misplaced = await #expect(throws: RPCError.self) {
        try await harness.directory.createUnit(
          .with {
            $0.code = "G9"; $0.name = "n"; $0.kind = .grid; $0.parentCode = "QH-CA"
          },
          metadata: admin
        )
      }
      #expect(misplaced?.code == .failedPrecondition)
      let duplicate = await #expect(throws: RPCError.self) {
        try await harness.directory.createUnit(
          .with {
            $0.code = "QH-S1"; $0.name = "n"; $0.kind = .street; $0.parentCode = "QH"
          },
          metadata: admin
        )
      }
      #expect(duplicate?.code == .alreadyExists)
      #expect(try await harness.store.query("SELECT count(*) FROM units").scalar(Int.self) == before)
    }
  }

  @Test("a stale expected_version answers ABORTED and changes nothing")
  func optimisticVersion() async throws {
    try await ServiceHarness.withServer { harness in
      let admin = Metadata.bearer(harness.adminToken)
      let unit = try await harness.directory.getUnit(.with { $0.code = "QH-S2" }, metadata: admin)
      let updated = try await harness.directory.updateUnit(
        .with {
          $0.code = "QH-S2"
          $0.responsiblePerson = "New Head"
          $0.expectedVersion = unit.version
        },
        metadata: admin
      )
      #expect(updated.version == unit.version + 1)
      #expect(updated.responsiblePerson == "New Head")
      #expect(updated.name == unit.name)
      let stale = await #expect(throws: RPCError.self) {
        try await harness.directory.updateUnit(
          .with {
            $0.code = "QH-S2"
            $0.name = "Renamed"
            $0.expectedVersion = unit.version
          },
          metadata: admin
        )
      }
      #expect(stale?.code == .aborted)
      #expect(try await harness.directory.getUnit(.with { $0.code = "QH-S2" }, metadata: admin).name == unit.name)
    }
  }

  @Test("hostile strings in every text field are stored and returned verbatim")
  func hostileStrings() async throws {
    try await ServiceHarness.withServer { harness in
      let admin = Metadata.bearer(harness.adminToken)
      let hostile = [
        "Robert'); DROP TABLE units;--", "\" OR 1=1 --", "$1 $2 \\x00 %s %n", "社区网格 🏘️ ‮reversed", "' || pg_sleep(5) || '",
      ]
      for (index, text) in hostile.enumerated() {
        let unit = try await harness.directory.createUnit(
          .with {
            $0.code = "H\(index)"
            $0.name = text
            $0.kind = .grid
            $0.parentCode = "QH-S1-C1"
            $0.responsiblePerson = text
          },
          metadata: admin
        )
        #expect(unit.name == text)
        #expect(unit.responsiblePerson == text)
        let account = try await harness.directory.createAccount(
          .with {
            $0.login = "h\(index)"
            $0.displayName = text
            $0.unitCode = "H\(index)"
            $0.roles = [.gridWorker]
          },
          metadata: admin
        )
        #expect(account.displayName == text)
        let issued = try await harness.directory.issueToken(
          .with {
            $0.login = "h\(index)"
            $0.label = text
          },
          metadata: admin
        )
        #expect(issued.token.label == text)
        let stored = try await harness.store.query("SELECT name FROM units WHERE code = $1", ["H\(index)"]).scalar(String.self)
        #expect(stored == text)
      }
      let entries = try await harness.audit.listAudit(.with { $0.object = "unit:H0" }, metadata: admin)
      #expect(entries.entries.map(\.summary) == ["created grid 'Robert'); DROP TABLE units;--' under QH-S1-C1"])
    }
  }

  @Test("tokens: shown once, stored as SHA-256 only, revocable; a revoked token is refused at once")
  func tokenLifecycle() async throws {
    try await ServiceHarness.withServer { harness in
      let admin = Metadata.bearer(harness.adminToken)
      let issued = try await harness.directory.issueToken(
        .with {
          $0.login = "clerk"
          $0.label = "window 3"
          $0.ttlSeconds = 3600
        },
        metadata: admin
      )
      #expect(issued.secret.hasPrefix("cg_"))
      #expect(issued.secret.count >= 3 + 43, "at least 256 bits of base64url")
      let stored = try await harness.store.query("SELECT token_sha256 FROM tokens WHERE id = $1", [issued.token.id])
        .scalar(SQLBytes.self)
      #expect(stored?.bytes == BearerToken.digest(of: issued.secret))
      let secretAnywhere = try await harness.store.query(
        "SELECT count(*) FROM tokens WHERE label = $1 OR encode(token_sha256, 'escape') = $1",
        [issued.secret]
      ).scalar(Int.self)
      #expect(secretAnywhere == 0)
      let expiresIn = issued.token.expiresAt.seconds - issued.token.issuedAt.seconds
      #expect((3599...3601).contains(expiresIn))

      let clerk = Metadata.bearer(issued.secret)
      let me = try await harness.directory.whoAmI(.init(), metadata: clerk)
      #expect(me.account.login == "clerk")
      #expect(me.unit.code == "QH-GSC")

      // A clerk manages its own tokens but not someone else's.
      let others = await #expect(throws: RPCError.self) {
        try await harness.directory.listTokens(.with { $0.login = "handler" }, metadata: clerk)
      }
      #expect(others?.code == .permissionDenied)
      let own = try await harness.directory.listTokens(.with { $0.login = "clerk" }, metadata: clerk)
      #expect(own.tokens.map(\.id).contains(issued.token.id))

      let revoked = try await harness.directory.revokeToken(.with { $0.id = issued.token.id }, metadata: clerk)
      #expect(revoked.hasRevokedAt)
      let after = await #expect(throws: RPCError.self) { try await harness.directory.whoAmI(.init(), metadata: clerk) }
      #expect(after?.code == .unauthenticated)
      #expect(after?.message == AuthInterceptor.unauthenticatedMessage)

      let ttl = await #expect(throws: RPCError.self) {
        try await harness.directory.issueToken(
          .with {
            $0.login = "clerk"
            $0.ttlSeconds = 400 * 86_400
          },
          metadata: admin
        )
      }
      #expect(ttl?.code == .invalidArgument)
      #expect(ttl?.message.hasPrefix("ttl_seconds:") == true)
    }
  }
}
