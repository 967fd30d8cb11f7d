import CivicDomain
public import CivicProtos
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
      let existing = try await connection.query(
        "SELECT id, request_sha256 = sha256(convert_to($3, 'UTF8')) FROM ratings WHERE case_id = $1 AND moment = $2",
        [caseID, moment.rawValue, fingerprint]
      ).rows
      if let row = existing.first {
        guard try row.decode(Bool.self, at: 1) else {
          throw DomainError.precondition(
            "case \(record.number)",
            "was already rated at \(moment.rawValue) with a different rating; one rating per case and moment"
          )
        }
        return try await Self.rating(try row.decode(Int64.self, at: 0), on: connection)
      }
      guard Rating.canRate(moment, caseState: record.value.state) else {
        let needs = moment == .acceptance ? "an intake decision" : "state completed or delivered"
        throw DomainError.precondition("case \(record.number)", "is \(record.value.state); a rating at \(moment.rawValue) needs \(needs)")
      }
      let ratingID = try await connection.query(
        """
        INSERT INTO ratings (case_id, moment, level, efficiency, attitude, convenience, comment, channel, unit_id, unit_path,
          rated_by, rated_at, request_sha256)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, u.id, u.path, $10, to_timestamp($11::bigint), sha256(convert_to($12, 'UTF8'))
        FROM units u WHERE u.code = $9
        RETURNING id
        """,
        [
          caseID, moment.rawValue, level.rawValue, dimensions.efficiency, dimensions.attitude, dimensions.convenience, rating.comment,
          channel, record.unitCode, Self.by(principal), at.secondsSinceEpoch, fingerprint,
        ]
      ).scalar(Int64.self)!
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
    let row = try await connection.query(
      """
      SELECT r.id, r.case_id, r.moment, r.level, r.efficiency, r.attitude, r.convenience, r.comment, r.channel, u.code,
        extract(epoch FROM r.rated_at)::bigint, r.excluded_at IS NOT NULL, x.case_id
      FROM ratings r JOIN units u ON u.id = r.unit_id LEFT JOIN rectifications x ON x.rating_id = r.id
      WHERE r.id = $1
      """,
      [id]
    ).rows[0]
    var message = Civicgrid_V1_RatingRecord()
    message.id = try row.decode(Int64.self, at: 0)
    message.caseID = CaseNumber.format(try row.decode(Int64.self, at: 1))
    message.moment = EvaluationMapping.moment(Rating.Moment(rawValue: try row.decode(String.self, at: 2))!)
    message.level = EvaluationMapping.level(Rating.Level(rawValue: try row.decode(String.self, at: 3))!)
    message.efficiency = try row.decode(Int32.self, at: 4)
    message.attitude = try row.decode(Int32.self, at: 5)
    message.convenience = try row.decode(Int32.self, at: 6)
    message.comment = try row.decode(String.self, at: 7)
    message.channel = try row.decode(String.self, at: 8)
    message.unitCode = try row.decode(String.self, at: 9)
    message.ratedAt = Instant(secondsSinceEpoch: try row.decode(Int.self, at: 10)).timestamp
    message.excluded = try row.decode(Bool.self, at: 11)
    message.rectificationID = try row.decode(Int64?.self, at: 12).map(CaseNumber.format) ?? ""
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
      let rows = try await connection.query(
        "SELECT level FROM ratings WHERE id = $1 AND unit_path >= $2 AND unit_path < $3 FOR UPDATE",
        [request.ratingID, range.lower, range.upper]
      ).rows
      guard let row = rows.first else { throw DomainError.notFound("rating \(request.ratingID)") }
      let level = Rating.Level(rawValue: try row.decode(String.self, at: 0))!
      guard level.isBad else {
        throw DomainError.precondition("rating \(request.ratingID)", "is \(level.rawValue); only a bad rating can be appealed")
      }
      let id = try await connection.query(
        """
        INSERT INTO rating_appeals (rating_id, reason, filed_by, filed_at) VALUES ($1, $2, $3, to_timestamp($4::bigint))
        ON CONFLICT (rating_id) DO NOTHING RETURNING id
        """,
        [request.ratingID, reason, Self.by(principal), at.secondsSinceEpoch]
      ).scalar(Int64.self)
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
      let rows = try await connection.query(
        """
        SELECT a.outcome, a.rating_id, r.unit_path FROM rating_appeals a JOIN ratings r ON r.id = a.rating_id
        WHERE a.id = $1 AND r.unit_path >= $2 AND r.unit_path < $3 FOR UPDATE OF a
        """,
        [request.appealID, range.lower, range.upper]
      ).rows
      guard let row = rows.first else { throw DomainError.notFound("appeal \(request.appealID)") }
      // Separation of duties: the rated unit appeals; a unit above it decides.
      if principal.unitPath.hasPrefix(try row.decode(String.self, at: 2)) {
        throw RPCError(
          code: .permissionDenied,
          message: "appeal \(request.appealID) is decided by a unit above the rated unit, not by the rated unit itself"
        )
      }
      let outcome = try row.decode(String.self, at: 0)
      let ratingID = try row.decode(Int64.self, at: 1)
      guard outcome == AppealOutcome.pending.rawValue else {
        throw DomainError.illegalState(subject: "appeal \(request.appealID)", state: outcome, action: "decide", allowed: ["pending"])
      }
      let decided: AppealOutcome = request.uphold ? .upheld : .rejected
      try await connection.execute(
        "UPDATE rating_appeals SET outcome = $2, note = $3, decided_by = $4, decided_at = to_timestamp($5::bigint) WHERE id = $1",
        [request.appealID, decided.rawValue, note, Self.by(principal), at.secondsSinceEpoch]
      )
      var summary = "appeal against rating \(ratingID) \(decided.rawValue)"
      if decided == .upheld {
        try await connection.execute(
          "UPDATE ratings SET excluded_at = to_timestamp($2::bigint) WHERE id = $1",
          [ratingID, at.secondsSinceEpoch]
        )
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
    let row = try await connection.query(
      "SELECT id, rating_id, reason, outcome, note, filed_by, decided_by FROM rating_appeals WHERE id = $1",
      [id]
    ).rows[0]
    var message = Civicgrid_V1_AppealRecord()
    message.id = try row.decode(Int64.self, at: 0)
    message.ratingID = try row.decode(Int64.self, at: 1)
    message.reason = try row.decode(String.self, at: 2)
    message.outcome = try row.decode(String.self, at: 3)
    message.note = try row.decode(String.self, at: 4)
    message.filedBy = try row.decode(String.self, at: 5)
    message.decidedBy = try row.decode(String.self, at: 6)
    return message
  }
}
