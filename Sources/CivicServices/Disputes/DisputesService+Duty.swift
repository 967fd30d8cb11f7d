import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// The duty roster (轮驻): which departments' staff are stationed at a centre on which day.
extension DisputesService {
  public func listDuty(request: Civicgrid_V1_ListDutyRequest, context: ServerContext) async throws -> Civicgrid_V1_DutyRoster {
    let principal = try RequestContext.principal()
    let first = try Require.date("from", request.from)
    let last = try Require.date("to", request.to)
    guard first <= last, last.daysSinceEpoch - first.daysSinceEpoch <= 62 else {
      throw Require.invalid("to", "must be on or after from and at most 62 days later")
    }
    let centreCode = request.centreCode
    return try await self.store.withConnection { connection in
      let centre = try await Self.centre(centreCode, principal: principal, on: connection)
      return try await Self.roster(centreCode.isEmpty ? principal.unitCode : centreCode, id: centre, from: first, to: last, on: connection)
    }
  }

  public func setDuty(request: Civicgrid_V1_SetDutyRequest, context: ServerContext) async throws -> Civicgrid_V1_DutyRoster {
    let principal = try RequestContext.principal()
    let day = try Require.date("day", request.day)
    let department = try Require.code("department_code", request.departmentCode)
    guard request.logins.count <= 20 else { throw Require.invalid("logins", "must list at most 20 logins, got \(request.logins.count)") }
    let logins = request.logins
    let centreCode = request.centreCode.isEmpty ? principal.unitCode : request.centreCode
    return try await self.store.transaction { connection in
      let centre = try await Self.centre(request.centreCode, principal: principal, on: connection)
      guard let unit = try await UnitRepository(connection).idAndPath(code: department) else {
        throw Require.invalid("department_code", "unit \(department) not found")
      }
      let range = UnitScope.subtree(unit.path).sqlRange
      var accounts: [Int64] = []
      for (index, login) in logins.enumerated() {
        guard let id = try await AccountRepository(connection).activeAccountID(login: login, within: range) else {
          throw Require.invalid("logins[\(index)]", "no enabled account \(login) in \(department)'s subtree")
        }
        accounts.append(id)
      }
      try await DutyRosterRepository(connection).replace(centreID: centre, day: day, departmentID: unit.id, accountIDs: accounts)
      try await AuditLog.append(
        on: connection, object: "duty/\(centreCode)/\(day)", summary: "\(department): \(logins.isEmpty ? "cleared" : logins.joined(separator: ", "))"
      )
      return try await Self.roster(centreCode, id: centre, from: day, to: day, on: connection)
    }
  }

  /// The id of centre `code` (the caller's unit when empty), which must be in the caller's scope.
  static func centre(_ code: String, principal: Principal, on connection: StoreConnection) async throws -> Int64 {
    guard !code.isEmpty else { return principal.unitID }
    _ = try Require.code("centre_code", code)
    guard let unit = try await UnitRepository(connection).idAndPath(code: code), principal.scope.contains(path: unit.path) else {
      throw Require.invalid("centre_code", "unit \(code) not found")
    }
    return unit.id
  }

  static func roster(_ code: String, id: Int64, from first: CivilDate, to last: CivilDate, on connection: StoreConnection) async throws
    -> Civicgrid_V1_DutyRoster
  {
    var roster = Civicgrid_V1_DutyRoster()
    roster.centreCode = code
    roster.entries = try await DutyRosterRepository(connection).entries(centreID: id, from: first, to: last).map { entry in
      var m = Civicgrid_V1_DutyEntry()
      m.day = entry.day.description
      m.departmentCode = entry.departmentCode
      m.logins = entry.logins
      return m
    }
    return roster
  }
}
