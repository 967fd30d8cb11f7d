import CivicDomain
import CivicRepositories
import CivicProtos
import Foundation

/// Cases from the domain to protobuf, with clocks evaluated now. Personal data is mapped in
/// full; `PersonalDataInterceptor` masks it in the response for roles that may not see it.
enum CaseMapping {
  static func message(
    _ record: CaseRecord,
    calendar: WorkingCalendar,
    at now: Instant,
    timeline: [Civicgrid_V1_TimelineEntry] = []
  ) throws -> Civicgrid_V1_Case {
    let value = record.value
    var m = Civicgrid_V1_Case()
    m.id = record.number
    m.kind = value.kind
    m.itemCode = value.item.code
    m.itemVersion = Int32(value.item.version)
    m.itemName = record.itemName
    m.channel = CatalogMapping.message(value.channel)
    m.applicant.name = value.applicant
    m.applicant.idNumber = record.applicantIDNumber
    m.applicant.phone = record.applicantPhone
    m.unitCode = record.unitCode
    m.state = value.state.rawValue
    m.version = Int64(value.version)
    m.requiredMaterials = value.materials.required.map(\.code)
    m.providedMaterials = value.materials.provided.sorted()
    m.missingMaterials = value.materials.missing
    m.missingMaterialsDueBy = value.missingMaterialsDueBy?.description ?? ""
    if let clock = value.clock { m.clock = try self.message(clock, calendar: calendar, at: now, policy: value.warningPolicy) }
    m.currentStage = Int32(value.currentStage ?? -1)
    m.tasks = try value.tasks.map { try self.message($0, calendar: calendar, at: now, policy: value.warningPolicy) }
    m.timeline = timeline
    switch value.result {
    case .approved(let opinions)?:
      m.approved = true
      m.opinions = opinions.map(self.message)
    case .denied(let opinions)?:
      m.opinions = opinions.map(self.message)
    case nil: break
    }
    m.refusalReason = value.refusalReason ?? ""
    m.delivery = switch value.delivery {
    case .pickup?: .pickup
    case .mail?: .mail
    case .electronic?: .electronic
    case nil: .unspecified
    }
    m.submittedAt = record.submittedAt.timestamp
    m.updatedAt = record.updatedAt.timestamp
    return m
  }

  /// One stored timeline row (GetCase, GetRequest).
  static func message(_ row: TimelineRow) -> Civicgrid_V1_TimelineEntry {
    var entry = Civicgrid_V1_TimelineEntry()
    entry.sequence = row.sequence
    entry.at = row.at.timestamp
    entry.by = row.by
    entry.task = row.task
    entry.kind = row.kind
    entry.summary = row.summary
    return entry
  }

  static func message(_ opinion: TaskOpinion) -> Civicgrid_V1_Opinion {
    var m = Civicgrid_V1_Opinion()
    m.task = Int32(opinion.task)
    m.unitCode = opinion.unit.rawValue
    m.approved = opinion.approved
    m.opinion = opinion.opinion
    return m
  }

  static func message(_ task: CaseTask, calendar: WorkingCalendar, at now: Instant, policy: WarningPolicy) throws -> Civicgrid_V1_Task {
    var m = Civicgrid_V1_Task()
    m.number = Int32(task.number)
    m.stage = Int32(task.stage)
    m.opening = Int32(task.opening)
    m.unitCode = task.unit.rawValue
    m.state = task.state.rawValue
    m.version = Int64(task.version)
    m.claimedBy = task.claimedBy?.rawValue ?? ""
    m.opinion = task.opinion ?? ""
    m.clock = try self.message(task.clock, calendar: calendar, at: now, policy: policy)
    if let pending = task.pendingExtension {
      m.pendingExtension.workingDays = Int32(pending.added.amount)
      m.pendingExtension.reason = pending.reason
      m.pendingExtension.requestedBy = pending.requestedBy.description
      m.pendingExtension.requestedAt = pending.requestedAt.timestamp
    }
    return m
  }

  static func message(_ clock: WorkClock, calendar: WorkingCalendar, at now: Instant, policy: WarningPolicy) throws -> Civicgrid_V1_Clock {
    var m = Civicgrid_V1_Clock()
    switch clock.limit {
    case .workingDays(let days): m.limitWorkingDays = Int32(days)
    case .workingHours(let hours): m.limitWorkingHours = Int32(hours)
    }
    m.startedAt = clock.start.timestamp
    if let deadline = try clock.deadline(in: calendar) { m.deadline = deadline.timestamp }
    m.state = clock.state
    m.remainingWorkingSeconds = Int64(try clock.remainingSeconds(at: now, in: calendar))
    if let stopped = clock.stoppedAt {
      m.stoppedAt = stopped.timestamp
      m.finishedOnTime = try clock.finishedOnTime(in: calendar) ?? false
    } else {
      m.warning = switch try clock.warning(at: now, in: calendar, policy: policy).level {
      case .green: .green
      case .yellow: .yellow
      case .red: .red
      case .overdue: .overdue
      }
    }
    m.pauses = clock.pauses.map { pause in
      var p = Civicgrid_V1_Pause()
      p.start = pause.start.timestamp
      if let end = pause.end { p.end = end.timestamp }
      p.reason = pause.reason.rawValue
      p.causedBy = pause.causedBy.description
      return p
    }
    m.extensions = clock.extensions.map { granted in
      var e = Civicgrid_V1_Extension()
      e.workingDays = Int32(granted.added.amount)
      e.reason = granted.reason
      e.requestedBy = granted.requestedBy.description
      e.approvedBy = granted.approvedBy.rawValue
      e.approvedAt = granted.approvedAt.timestamp
      return e
    }
    return m
  }
}
