import CivicDomain
import CivicProtos
import CivicRepositories
import Foundation

extension CaseMapping {
  /// A ListCases entry: every field a projection column or the stored clocks hold, with the
  /// case clock evaluated now. Tasks, materials, opinions, refusal, delivery and timeline are
  /// left empty: they live only in the snapshot, which a list does not decode (GetCase has them).
  static func summary(_ record: CaseSummaryRecord, calendar: WorkingCalendar, at now: Instant) throws -> Civicgrid_V1_Case {
    var m = Civicgrid_V1_Case()
    m.id = CaseNumber.format(record.id)
    m.kind = record.kind
    m.itemCode = record.itemCode
    m.itemVersion = Int32(record.itemVersion)
    m.itemName = record.itemName
    if let channel = IntakeChannel(rawValue: record.channel) { m.channel = CatalogMapping.message(channel) }
    m.applicant.name = record.applicantName
    m.applicant.idNumber = record.applicantIDNumber
    m.applicant.phone = record.applicantPhone
    m.unitCode = record.unitCode
    m.state = record.state
    m.version = record.version
    m.approved = record.approved
    if let clock = record.clocks.clock {
      m.clock = try self.message(clock, calendar: calendar, at: now, policy: record.clocks.warningPolicy)
    }
    m.currentStage = Int32(record.currentStage ?? -1)
    m.submittedAt = record.submittedAt.timestamp
    m.updatedAt = record.updatedAt.timestamp
    return m
  }
}
