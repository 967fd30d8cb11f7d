import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// Grid workers' training (course, date, hours), counted in the assessment's grid work.
extension GridsService {
  public func recordTraining(request: Civicgrid_V1_RecordTrainingRequest, context: ServerContext) async throws
    -> Civicgrid_V1_TrainingRecord
  {
    let principal = try RequestContext.principal()
    let login = try Require.code("login", request.login)
    let course = try Require.text("course", request.course, max: 200)
    let date = try Require.date("date", request.date)
    guard request.hours.isFinite, request.hours >= 0.5, request.hours <= 100, (request.hours * 2).rounded() == request.hours * 2 else {
      throw Require.invalid("hours", "must be 0.5–100 in half hours, got \(request.hours)")
    }
    return try await self.store.transaction { connection in
      guard let account = try await AccountRepository(connection).account(login: login, within: principal.scope.sqlRange),
        account.roles.contains(Role.gridWorker.rawValue), let unit = try await UnitRepository(connection).idAndPath(code: account.unitCode)
      else { throw Require.invalid("login", "\(login) is not a grid worker in your scope") }
      let id = try await GridRepository(connection).recordTraining(
        login: login,
        unitID: unit.id,
        course: course,
        date: date,
        hours: request.hours,
        by: principal.login
      )
      try await AuditLog.append(on: connection, object: "training/\(id)", summary: "\(login): \(course), \(date), \(request.hours) h")
      var m = Civicgrid_V1_TrainingRecord()
      m.id = id
      m.login = login
      m.unitCode = account.unitCode
      m.course = course
      m.date = date.description
      m.hours = request.hours
      m.recordedBy = principal.login
      return m
    }
  }

  public func listTraining(request: Civicgrid_V1_ListTrainingRequest, context: ServerContext) async throws
    -> Civicgrid_V1_ListTrainingResponse
  {
    let principal = try RequestContext.principal()
    let from = request.from.isEmpty ? nil : try Require.date("from", request.from)
    let to = request.to.isEmpty ? nil : try Require.date("to", request.to)
    return try await self.store.withConnection { connection in
      var range = principal.scope.sqlRange
      if !request.unitCode.isEmpty {
        let code = try Require.code("unit_code", request.unitCode)
        guard let unit = try await UnitRepository(connection).unit(code: code, within: principal.scope.sqlRange) else {
          throw Require.invalid("unit_code", "unit \(code) not found in your scope")
        }
        range = UnitScope.subtree(unit.path).sqlRange
      }
      var response = Civicgrid_V1_ListTrainingResponse()
      for row in try await GridRepository(connection).training(range: range, from: from, to: to) {
        var m = Civicgrid_V1_TrainingRecord()
        m.id = row.id
        m.login = row.login
        m.unitCode = row.unitCode
        m.course = row.course
        m.date = row.date
        m.hours = row.hours
        m.recordedBy = row.recordedBy
        response.records.append(m)
        response.hoursByLogin[row.login, default: 0] += row.hours
      }
      return response
    }
  }
}
