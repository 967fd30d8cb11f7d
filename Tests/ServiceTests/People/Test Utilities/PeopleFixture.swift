import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// `CaseFixture`'s database and unit tree with the People service and two grids under the
/// street (G1, G2) and one directly under the district (G3), called in-process as each role.
struct PeopleFixture: Sendable {
  let base: CaseFixture
  let people: PeopleService
  let units: [String: (id: Int64, path: String)]

  static let idNumber = "110105195303150027"
  static let maskedID = "110***********0027"
  static let phone = "13800138000"
  static let maskedPhone = "138****8000"
  static let otherPhone = "13900139000"
  static let address = "东四北大街 3 号楼 402"

  static func with(_ body: (PeopleFixture) async throws -> Void) async throws {
    try await CaseFixture.with { base in
      var units = base.units
      for (code, parent) in [("G1", "S01"), ("G2", "S01"), ("G3", "D01")] {
        let path = units[parent]!.path + "\(code)/"
        let id = try await base.pool.query(
          "INSERT INTO units (code, name, kind, parent_id, path) VALUES ($1, $1, 'grid', $2, $3) RETURNING id", [code, units[parent]!.id, path]
        ).scalar(Int64.self)!
        units[code] = (id, path)
      }
      try await body(PeopleFixture(base: base, people: PeopleService(store: base.pool), units: units))
    }
  }

  func principal(_ login: String, _ unit: String, _ roles: Set<Role>) -> Principal {
    let (id, path) = self.units[unit]!
    return Principal(accountID: Int64(abs(login.hashValue % 1_000_000)), login: login, unitID: id, unitCode: unit, unitPath: path, roles: roles)
  }

  var clerk: Principal { self.principal("clerk-s01", "S01", [.clerk]) }
  var handler: Principal { self.principal("handler-civil", "D01", [.handler]) }
  var gridWorker: Principal { self.principal("grid-g1", "G1", [.gridWorker]) }
  var supervisor: Principal { self.principal("sup", "D01", [.supervisor]) }
  var admin: Principal { self.principal("admin", "D01", [.admin]) }
  var partner: Principal { self.principal("portal", "D01", [.partner]) }
  var auditor: Principal { self.principal("aud", "CTR", [.auditor]) }

  func call<R: Sendable>(_ principal: Principal, _ body: (ServerContext) async throws -> R) async throws -> R {
    try await self.base.call(principal, "test", body)
  }

  static func input(
    _ idNumber: String = Self.idNumber, name: String = "Zhang Xiuying", phone: String = Self.phone, grid: String = "G1",
    household: String = "", address: String = ""
  ) -> Civicgrid_V1_PersonInput {
    var input = Civicgrid_V1_PersonInput()
    input.idNumber = idNumber
    input.name = name
    input.phone = phone
    input.gridUnitCode = grid
    input.householdCode = household
    input.address = address
    return input
  }

  func register(_ input: Civicgrid_V1_PersonInput, as principal: Principal? = nil, source: Civicgrid_V1_InformationSource = .unspecified)
    async throws -> Civicgrid_V1_RegisterPersonResponse
  {
    var request = Civicgrid_V1_RegisterPersonRequest()
    request.person = input
    request.source = source
    return try await self.call(principal ?? self.clerk) { try await self.people.registerPerson(request: request, context: $0) }
  }

  func get(_ id: Int64, as principal: Principal, purpose: String = "") async throws -> Civicgrid_V1_Person {
    var request = Civicgrid_V1_GetPersonRequest()
    request.personID = id
    request.purpose = purpose
    return try await self.call(principal) { try await self.people.getPerson(request: request, context: $0) }
  }

  static func tag(_ kind: Civicgrid_V1_PersonTagKind, _ subtype: String = "", from: String = "2026-01-01") -> Civicgrid_V1_PersonTag {
    var tag = Civicgrid_V1_PersonTag()
    tag.kind = kind
    tag.subtype = subtype
    tag.validFrom = from
    return tag
  }

  func auditCount(_ object: String, containing text: String = "") async throws -> Int {
    try await self.base.pool.query(
      "SELECT count(*)::int FROM audit_log WHERE object = $1 AND summary LIKE '%' || $2 || '%'", [object, text]
    ).scalar(Int.self) ?? 0
  }
}

/// An import's request stream from batches, in-process.
func importStream(_ batches: [Civicgrid_V1_ImportPeopleRequest], thenFail: Bool = false) -> RPCAsyncSequence<Civicgrid_V1_ImportPeopleRequest, any Error> {
  RPCAsyncSequence(
    wrapping: AsyncThrowingStream<Civicgrid_V1_ImportPeopleRequest, any Error> { continuation in
      for batch in batches { continuation.yield(batch) }
      continuation.finish(throwing: thenFail ? CancellationError() : nil)
    }
  )
}

func importBatch(_ key: String, _ rows: [Civicgrid_V1_PersonInput]) -> Civicgrid_V1_ImportPeopleRequest {
  var batch = Civicgrid_V1_ImportPeopleRequest()
  batch.batchKey = key
  batch.rows = rows
  return batch
}
