import CivicDomain
import CivicProtos
import CivicRepositories
import Foundation

/// Disputes between the domain and protobuf. Parties' personal data is mapped in full;
/// `PersonalDataInterceptor` masks it for roles that may not see it.
enum DisputeMapping {
  static func message(
    _ record: CaseRecord,
    _ details: DisputeDetails,
    ladder: DisputeLadder,
    calendar: WorkingCalendar,
    at now: Instant,
    timeline: [Civicgrid_V1_TimelineEntry] = []
  ) throws -> Civicgrid_V1_Dispute {
    let value = record.value
    let dispute = details.record
    var m = Civicgrid_V1_Dispute()
    m.id = record.number
    m.type = self.message(dispute.type)
    m.category = dispute.category.map(self.message) ?? .unspecified
    m.channel = self.message(dispute.intake)
    m.summary = dispute.summary
    m.parties = details.parties.map(self.message)
    m.relatedCaseID = dispute.relatedCaseID.map(CaseNumber.format) ?? ""
    m.unitCode = record.unitCode
    m.state = value.state.rawValue
    m.version = Int64(value.version)
    m.ladderLevel = Int32(dispute.ladderLevel)
    m.ladderRung = ladder.name(of: dispute.ladderLevel)
    m.risk = dispute.risk.map(self.message) ?? .unspecified
    m.reviews = details.reviews.map(self.message)
    m.routes = try details.routes.compactMap { route in
      guard value.tasks.indices.contains(route.task - 1) else { return nil }
      var r = Civicgrid_V1_DisputeRoute()
      r.task = try CaseMapping.message(value.tasks[route.task - 1], calendar: calendar, at: now, policy: value.warningPolicy)
      r.channel = self.message(route.channel)
      r.round = Int32(route.round)
      r.outcome = route.outcome.map(self.message) ?? .unspecified
      r.detail = route.detail
      r.fulfilmentChecked = route.fulfilled != nil
      r.fulfilled = route.fulfilled ?? false
      r.fulfilmentNote = route.fulfilmentNote
      return r
    }
    m.sessions = details.sessions.map { session in
      var s = Civicgrid_V1_Session()
      s.number = Int32(session.number)
      s.task = Int32(session.task)
      s.scheduledAt = session.scheduledAt.timestamp
      s.place = session.place
      s.held = session.heldAt != nil
      s.attendees = session.attendees
      s.notes = session.notes
      return s
    }
    m.result = dispute.result.map(self.message) ?? .unspecified
    m.resultNote = dispute.resultNote
    m.returnVisited = dispute.returnVisited
    m.satisfied = dispute.satisfied
    m.rating = Int32(dispute.rating ?? 0)
    m.timeline = timeline
    m.submittedAt = record.submittedAt.timestamp
    m.updatedAt = record.updatedAt.timestamp
    return m
  }

  static func message(_ party: DisputeParty) -> Civicgrid_V1_DisputeParty {
    var m = Civicgrid_V1_DisputeParty()
    m.role = switch party.role {
    case .applicant: .applicant
    case .respondent: .respondent
    case .thirdParty: .thirdParty
    }
    m.name = party.name
    m.idNumber = party.idNumber
    m.phone = party.phone
    m.personID = party.personID ?? 0
    return m
  }

  static func message(_ review: DisputeReview) -> Civicgrid_V1_Review {
    var m = Civicgrid_V1_Review()
    m.round = Int32(review.round)
    m.workingDays = Int32(review.workingDays)
    m.heldOn = review.heldOn.description
    m.participants = review.participants
    m.risk = self.message(review.risk)
    m.assessment = review.assessment
    m.ladderLevel = Int32(review.ladderLevel)
    m.recordedBy = review.recordedBy
    m.recordedAt = review.recordedAt.timestamp
    return m
  }

  // MARK: Enums, both ways; a request's unspecified or unknown value is INVALID_ARGUMENT naming the field.

  static func message(_ type: DisputeType) -> Civicgrid_V1_DisputeType {
    switch type {
    case .dispute: .dispute
    case .firstLetter: .firstLetter
    case .firstVisit: .firstVisit
    case .legalAid: .legalAid
    }
  }

  static func type(_ value: Civicgrid_V1_DisputeType, field: String) throws(DomainError) -> DisputeType {
    switch value {
    case .dispute: .dispute
    case .firstLetter: .firstLetter
    case .firstVisit: .firstVisit
    case .legalAid: .legalAid
    default: throw Require.invalid(field, "must be DISPUTE, FIRST_LETTER, FIRST_VISIT or LEGAL_AID")
    }
  }

  static let categories: [(DisputeCategory, Civicgrid_V1_DisputeCategory)] = [
    (.neighbourhood, .neighbourhood), (.family, .family), (.property, .property), (.labour, .labour), (.land, .land), (.other, .other),
  ]

  static func message(_ category: DisputeCategory) -> Civicgrid_V1_DisputeCategory {
    self.categories.first { $0.0 == category }!.1
  }

  static func category(_ value: Civicgrid_V1_DisputeCategory, field: String) throws(DomainError) -> DisputeCategory {
    guard let category = self.categories.first(where: { $0.1 == value })?.0 else {
      throw Require.invalid(field, "must be NEIGHBOURHOOD, FAMILY, PROPERTY, LABOUR, LAND or OTHER")
    }
    return category
  }

  static let intakes: [(DisputeIntake, Civicgrid_V1_DisputeChannel)] = [
    (.window, .window), (.gridWorker, .gridWorker), (.hotline, .hotline), (.partner, .partner),
  ]

  static func message(_ intake: DisputeIntake) -> Civicgrid_V1_DisputeChannel { self.intakes.first { $0.0 == intake }!.1 }

  static func intake(_ value: Civicgrid_V1_DisputeChannel, field: String) throws(DomainError) -> DisputeIntake {
    guard let intake = self.intakes.first(where: { $0.1 == value })?.0 else {
      throw Require.invalid(field, "must be WINDOW, GRID_WORKER, HOTLINE or PARTNER")
    }
    return intake
  }

  static func role(_ value: Civicgrid_V1_PartyRole, field: String) throws(DomainError) -> PartyRole {
    switch value {
    case .applicant: .applicant
    case .respondent: .respondent
    case .thirdParty: .thirdParty
    default: throw Require.invalid(field, "must be APPLICANT, RESPONDENT or THIRD_PARTY")
    }
  }

  static let risks: [(RiskLevel, Civicgrid_V1_RiskLevel)] = [(.low, .low), (.medium, .medium), (.high, .high), (.major, .major)]

  static func message(_ risk: RiskLevel) -> Civicgrid_V1_RiskLevel { self.risks.first { $0.0 == risk }!.1 }

  static func risk(_ value: Civicgrid_V1_RiskLevel, field: String) throws(DomainError) -> RiskLevel {
    guard let risk = self.risks.first(where: { $0.1 == value })?.0 else { throw Require.invalid(field, "must be LOW, MEDIUM, HIGH or MAJOR") }
    return risk
  }

  static let channels: [(ResolutionChannel, Civicgrid_V1_ResolutionChannel)] = [
    (.peoplesMediation, .peoplesMediation), (.administrativeMediation, .administrativeMediation),
    (.judicialMediation, .judicialMediation), (.legalAid, .legalAid), (.directHandling, .directHandling),
  ]

  static func message(_ channel: ResolutionChannel) -> Civicgrid_V1_ResolutionChannel { self.channels.first { $0.0 == channel }!.1 }

  static func channel(_ value: Civicgrid_V1_ResolutionChannel, field: String) throws(DomainError) -> ResolutionChannel {
    guard let channel = self.channels.first(where: { $0.1 == value })?.0 else {
      throw Require.invalid(field, "must be PEOPLES_MEDIATION, ADMINISTRATIVE_MEDIATION, JUDICIAL_MEDIATION, LEGAL_AID or DIRECT_HANDLING")
    }
    return channel
  }

  static let outcomes: [(ChannelOutcome, Civicgrid_V1_ChannelOutcome)] = [
    (.agreement, .agreement), (.partial, .partial), (.failed, .failed), (.withdrawn, .withdrawn),
  ]

  static func message(_ outcome: ChannelOutcome) -> Civicgrid_V1_ChannelOutcome { self.outcomes.first { $0.0 == outcome }!.1 }

  static func outcome(_ value: Civicgrid_V1_ChannelOutcome, field: String) throws(DomainError) -> ChannelOutcome {
    guard let outcome = self.outcomes.first(where: { $0.1 == value })?.0 else {
      throw Require.invalid(field, "must be AGREEMENT, PARTIAL, FAILED or WITHDRAWN")
    }
    return outcome
  }

  static let results: [(DisputeResult, Civicgrid_V1_DisputeResult)] = [
    (.resolved, .resolved), (.notResolved, .notResolved), (.referredOut, .referredOut), (.withdrawn, .withdrawn),
  ]

  static func message(_ result: DisputeResult) -> Civicgrid_V1_DisputeResult { self.results.first { $0.0 == result }!.1 }

  static func result(_ value: Civicgrid_V1_DisputeResult, field: String) throws(DomainError) -> DisputeResult {
    guard let result = self.results.first(where: { $0.1 == value })?.0 else {
      throw Require.invalid(field, "must be RESOLVED, NOT_RESOLVED, REFERRED_OUT or WITHDRAWN")
    }
    return result
  }
}
