import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension EvaluationService {
  public func rateCase(request: Civicgrid_V1_RateCaseRequest, context: ServerContext) async throws -> Civicgrid_V1_RatingRecord {
    let principal = try RequestContext.principal()
    let caseID = try CaseNumber.parse(request.caseID)
    let moment = try EvaluationMapping.moment(request.moment)
    let level = try EvaluationMapping.level(request.level)
    let channel = try Require.code("channel", request.channel)
    let dimensions = Rating.Dimensions(
      efficiency: Int(request.efficiency),
      attitude: Int(request.attitude),
      convenience: Int(request.convenience)
    )
    let rating = try Rating(level: level, moment: moment, dimensions: dimensions, comment: request.comment)
    // What makes a retry the same request: everything the rater chose.
    let fingerprint = [
      "\(caseID)", moment.rawValue, level.rawValue, "\(dimensions.efficiency)", "\(dimensions.attitude)",
      "\(dimensions.convenience)", rating.comment, channel,
    ].joined(separator: "\u{1F}")
    let at = self.now()
    return try await self.store.transaction { connection in
      let record = try await CaseRecord.load(caseID, scope: principal.scope, on: connection, lock: true)
      let ratings = RatingRepository(connection)
      if let existing = try await ratings.existing(caseID: caseID, moment: moment, fingerprint: fingerprint) {
        guard existing.same else {
          throw DomainError.precondition(
            "case \(record.number)",
            "was already rated at \(moment.rawValue) with a different rating; one rating per case and moment"
          )
        }
        return try await Self.rating(existing.id, on: connection)
      }
      guard Rating.canRate(moment, caseState: record.value.state) else {
        let needs = moment == .acceptance ? "an intake decision" : "state completed or delivered"
        throw DomainError.precondition("case \(record.number)", "is \(record.value.state); a rating at \(moment.rawValue) needs \(needs)")
      }
      let ratingID = try await ratings.insert(
        NewRating(
          caseID: caseID, moment: moment, level: level, dimensions: dimensions, comment: rating.comment, channel: channel,
          unitCode: record.unitCode, ratedBy: Self.by(principal), at: at, fingerprint: fingerprint
        )
      )
      var summary = "rated \(record.number) at \(moment.rawValue): \(level.rawValue)"
      if level.isBad {
        let opened = try await Self.openRectification(
          ratingID: ratingID,
          rated: record,
          level: level,
          principal: principal,
          at: at,
          on: connection
        )
        summary += "; rectification \(opened.number) opened for \(record.unitCode), due \(opened.due)"
      }
      try await AuditLog.append(on: connection, object: "rating/\(ratingID)", summary: summary)
      return try await Self.rating(ratingID, on: connection)
    }
  }

  static func rating(_ id: Int64, on connection: StoreConnection) async throws -> Civicgrid_V1_RatingRecord {
    guard let stored = try await RatingRepository(connection).rating(id) else { throw DomainError.notFound("rating \(id)") }
    var message = Civicgrid_V1_RatingRecord()
    message.id = stored.id
    message.caseID = CaseNumber.format(stored.caseID)
    message.moment = EvaluationMapping.moment(stored.moment)
    message.level = EvaluationMapping.level(stored.level)
    message.efficiency = stored.efficiency
    message.attitude = stored.attitude
    message.convenience = stored.convenience
    message.comment = stored.comment
    message.channel = stored.channel
    message.unitCode = stored.unitCode
    message.ratedAt = stored.ratedAt.timestamp
    message.excluded = stored.excluded
    message.rectificationID = stored.rectificationID.map(CaseNumber.format) ?? ""
    return message
  }

  // MARK: Appeals

  public func fileAppeal(request: Civicgrid_V1_FileAppealRequest, context: ServerContext) async throws -> Civicgrid_V1_AppealRecord {
    let principal = try RequestContext.principal()
    guard request.ratingID > 0 else { throw Require.invalid("rating_id", "must be a rating id, got \(request.ratingID)") }
    let reason = try Require.text("reason", request.reason, max: 1000)
    let at = self.now()
    return try await self.store.transaction { connection in
      // The appellant must answer for the rating: it is in the caller's own subtree.
      let range = principal.scope.sqlRange
      let ratings = RatingRepository(connection)
      guard let stored = try await ratings.levelForAppeal(request.ratingID, in: range) else {
        throw DomainError.notFound("rating \(request.ratingID)")
      }
      let level = Rating.Level(rawValue: stored)!
      guard level.isBad else {
        throw DomainError.precondition("rating \(request.ratingID)", "is \(level.rawValue); only a bad rating can be appealed")
      }
      let id = try await ratings.fileAppeal(ratingID: request.ratingID, reason: reason, by: Self.by(principal), at: at)
      guard let id else { throw DomainError.precondition("rating \(request.ratingID)", "already has an appeal; one appeal per rating") }
      try await AuditLog.append(on: connection, object: "appeal/\(id)", summary: "appeal against rating \(request.ratingID) filed")
      return try await Self.appeal(id, on: connection)
    }
  }

  public func decideAppeal(request: Civicgrid_V1_DecideAppealRequest, context: ServerContext) async throws -> Civicgrid_V1_AppealRecord {
    let principal = try RequestContext.principal()
    guard request.appealID > 0 else { throw Require.invalid("appeal_id", "must be an appeal id, got \(request.appealID)") }
    let note = try Require.text("note", request.note, max: 1000)
    let at = self.now()
    return try await self.store.transaction { connection in
      let range = Self.scope(principal).sqlRange
      let ratings = RatingRepository(connection)
      guard let appeal = try await ratings.appealForDecision(request.appealID, in: range) else {
        throw DomainError.notFound("appeal \(request.appealID)")
      }
      // Separation of duties: the rated unit appeals; a unit above it decides.
      if principal.unitPath.hasPrefix(appeal.unitPath) {
        throw DomainError.permissionDenied(
          "appeal \(request.appealID) is decided by a unit above the rated unit, not by the rated unit itself"
        )
      }
      let outcome = appeal.outcome
      let ratingID = appeal.ratingID
      guard outcome == AppealOutcome.pending.rawValue else {
        throw DomainError.illegalState(subject: "appeal \(request.appealID)", state: outcome, action: "decide", allowed: ["pending"])
      }
      let decided: AppealOutcome = request.uphold ? .upheld : .rejected
      try await ratings.decideAppeal(request.appealID, outcome: decided.rawValue, note: note, by: Self.by(principal), at: at)
      var summary = "appeal against rating \(ratingID) \(decided.rawValue)"
      if decided == .upheld {
        try await ratings.exclude(ratingID, at: at)
        if let voided = try await Self.voidRectification(
          ratingID: ratingID,
          reason: "appeal \(request.appealID) upheld: \(note)",
          principal: principal,
          at: at,
          on: connection
        ) {
          summary += "; rectification \(voided) voided"
        }
      }
      try await AuditLog.append(on: connection, object: "appeal/\(request.appealID)", summary: summary)
      return try await Self.appeal(request.appealID, on: connection)
    }
  }

  static func appeal(_ id: Int64, on connection: StoreConnection) async throws -> Civicgrid_V1_AppealRecord {
    guard let stored = try await RatingRepository(connection).appeal(id) else { throw DomainError.notFound("appeal \(id)") }
    var message = Civicgrid_V1_AppealRecord()
    message.id = stored.id
    message.ratingID = stored.ratingID
    message.reason = stored.reason
    message.outcome = stored.outcome
    message.note = stored.note
    message.filedBy = stored.filedBy
    message.decidedBy = stored.decidedBy
    return message
  }
}
