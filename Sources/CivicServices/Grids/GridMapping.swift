import CivicDomain
import CivicProtos
import CivicRepositories
import Foundation

/// Grids between the domain and protobuf.
enum GridMapping {
  static let roles: [Civicgrid_V1_GridRole: GridStaff.Role] = [.worker: .worker, .assistant: .assistant, .volunteer: .volunteer]

  static func staff(_ m: Civicgrid_V1_GridStaff, field: String) throws(DomainError) -> GridStaff {
    guard let role = self.roles[m.role] else { throw Require.invalid("\(field).role", "must be WORKER, ASSISTANT or VOLUNTEER") }
    return try GridStaff(
      login: m.login,
      name: m.name,
      role: role,
      phone: m.dutyNumber,
      photoURI: m.photoUri,
      dutyHours: m.dutyHours,
      published: m.published,
      field: field
    )
  }

  static func staff(_ staff: GridStaff) -> Civicgrid_V1_GridStaff {
    var m = Civicgrid_V1_GridStaff()
    m.login = staff.login
    m.name = staff.name
    m.role = self.roles.first { $0.value == staff.role }?.key ?? .unspecified
    m.dutyNumber = staff.phone
    m.photoUri = staff.photoURI
    m.dutyHours = staff.dutyHours
    m.published = staff.published
    return m
  }

  static func profile(_ record: GridProfileRecord) -> Civicgrid_V1_GridProfile {
    var m = Civicgrid_V1_GridProfile()
    m.gridCode = record.gridCode
    m.boundary = record.boundary
    m.households = Int32(record.households)
    m.areaPrefixes = record.addressPrefixes
    m.staff = record.staff.map(self.staff)
    m.version = record.version
    m.updatedBy = record.updatedBy
    m.updatedAt = record.updatedAt.timestamp
    return m
  }

  static func card(_ record: GridProfileRecord, ancestors: [(code: String, kind: String)]) -> Civicgrid_V1_GridCard {
    var m = Civicgrid_V1_GridCard()
    m.gridCode = record.gridCode
    m.gridName = record.gridName
    m.communityCode = ancestors.last { $0.kind == "community" || $0.kind == "village" }?.code ?? ""
    m.streetCode = ancestors.last { $0.kind == "street" || $0.kind == "township" }?.code ?? ""
    m.boundary = record.boundary
    m.households = Int32(record.households)
    // Only what the grid chose to publish; the login stays internal.
    m.staff = record.staff.filter(\.published).map { staff in
      var shown = self.staff(staff)
      shown.login = ""
      return shown
    }
    return m
  }

  static func stats(_ stats: GridEventStats, unit: String, from: CivilDate, to: CivilDate) -> Civicgrid_V1_GridStats {
    var m = Civicgrid_V1_GridStats()
    m.unitCode = unit
    m.from = from.description
    m.to = to.description
    m.units = stats.rows.map { row in
      var r = Civicgrid_V1_UnitEventStats()
      r.unitCode = row.unit.code
      r.unitKind = row.unit.kind
      r.events = Int32(row.events)
      r.byCategory = row.byCategory.mapValues(Int32.init)
      r.byOutcome = row.byOutcome.mapValues(Int32.init)
      r.selfHandled = Int32(row.selfHandled)
      r.handledOnTime = Int32(row.handledOnTime)
      r.handledAfterRouting = Int32(row.handledAfterRouting)
      r.onTimeRate = row.onTimeRate
      return r
    }
    m.repeatLocations = stats.repeats.map { repeated in
      var r = Civicgrid_V1_RepeatLocation()
      r.gridCode = repeated.gridCode
      r.location = repeated.address
      r.events = Int32(repeated.events)
      return r
    }
    m.weeks = stats.weeks.map { week in
      var w = Civicgrid_V1_WeekCount()
      w.weekStart = week.start.description
      w.events = Int32(week.events)
      w.change = Int32(week.change)
      return w
    }
    return m
  }
}
