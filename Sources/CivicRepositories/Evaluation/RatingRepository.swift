public import CivicDomain
public import CivicStore

/// Ratings (好差评) and their appeals: tables `ratings` and `rating_appeals`.
public struct RatingRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The rating of case `caseID` at `moment`, if any, and whether it was made by a request
  /// with `fingerprint` (a retry).
  public func existing(caseID: Int64, moment: Rating.Moment, fingerprint: String) async throws(StoreError) -> (id: Int64, same: Bool)? {
    try await self.connection.query(
      """
      SELECT id, request_sha256 = sha256(convert_to(\(fingerprint), 'UTF8')) FROM ratings
      WHERE case_id = \(caseID) AND moment = \(moment.rawValue)
      """
    ).decode((Int64, Bool).self).first.map { (id: $0.0, same: $0.1) }
  }

  /// Inserts `rating` for its unit; returns its id.
  public func insert(_ rating: NewRating) async throws(StoreError) -> Int64 {
    let id = try await self.connection.query(
      """
      INSERT INTO ratings (case_id, moment, level, efficiency, attitude, convenience, comment, channel, unit_id, unit_path,
        rated_by, rated_at, request_sha256)
      SELECT \(rating.caseID), \(rating.moment.rawValue), \(rating.level.rawValue), \(rating.dimensions.efficiency),
        \(rating.dimensions.attitude), \(rating.dimensions.convenience), \(rating.comment), \(rating.channel), u.id, u.path,
        \(rating.ratedBy), to_timestamp(\(rating.at.secondsSinceEpoch)::bigint), sha256(convert_to(\(rating.fingerprint), 'UTF8'))
      FROM units u WHERE u.code = \(rating.unitCode)
      RETURNING id
      """
    ).scalar(Int64.self)
    guard let id else { throw StoreError(code: .decoding, serverMessage: "rating insert returned no id") }
    return id
  }

  public func rating(_ id: Int64) async throws(StoreError) -> RatingRecord? {
    try await self.connection.query(
      """
      SELECT r.id, r.case_id, r.moment, r.level, r.efficiency, r.attitude, r.convenience, r.comment, r.channel, u.code AS unit_code,
        extract(epoch FROM r.rated_at)::bigint AS rated_at, r.excluded_at IS NOT NULL AS excluded, x.case_id AS rectification_id
      FROM ratings r JOIN units u ON u.id = r.unit_id LEFT JOIN rectifications x ON x.rating_id = r.id
      WHERE r.id = \(id)
      """
    ).first(RatingRecord.self)
  }

  /// The level of rating `id` if its unit is in `range`, locked for an appeal.
  public func levelForAppeal(_ id: Int64, in range: (lower: String, upper: String)) async throws(StoreError) -> String? {
    try await self.connection.query(
      "SELECT level FROM ratings WHERE id = \(id) AND unit_path >= \(range.lower) AND unit_path < \(range.upper) FOR UPDATE"
    ).scalar(String.self)
  }

  /// Files the one appeal a rating may have; nil when it already has one.
  public func fileAppeal(ratingID: Int64, reason: String, by: String, at: Instant) async throws(StoreError) -> Int64? {
    try await self.connection.query(
      """
      INSERT INTO rating_appeals (rating_id, reason, filed_by, filed_at)
      VALUES (\(ratingID), \(reason), \(by), to_timestamp(\(at.secondsSinceEpoch)::bigint))
      ON CONFLICT (rating_id) DO NOTHING RETURNING id
      """
    ).scalar(Int64.self)
  }

  /// Appeal `id`'s outcome, rating and rated unit path if the rated unit is in `range`, locked for its decision.
  public func appealForDecision(_ id: Int64, in range: (lower: String, upper: String)) async throws(StoreError)
    -> (outcome: String, ratingID: Int64, unitPath: String)?
  {
    try await self.connection.query(
      """
      SELECT a.outcome, a.rating_id, r.unit_path FROM rating_appeals a JOIN ratings r ON r.id = a.rating_id
      WHERE a.id = \(id) AND r.unit_path >= \(range.lower) AND r.unit_path < \(range.upper) FOR UPDATE OF a
      """
    ).decode((String, Int64, String).self).first.map { (outcome: $0.0, ratingID: $0.1, unitPath: $0.2) }
  }

  public func decideAppeal(_ id: Int64, outcome: String, note: String, by: String, at: Instant) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE rating_appeals SET outcome = \(outcome), note = \(note), decided_by = \(by),
        decided_at = to_timestamp(\(at.secondsSinceEpoch)::bigint)
      WHERE id = \(id)
      """
    )
  }

  /// Takes rating `id` out of the figures from `at` (an upheld appeal).
  public func exclude(_ id: Int64, at: Instant) async throws(StoreError) {
    try await self.connection.execute("UPDATE ratings SET excluded_at = to_timestamp(\(at.secondsSinceEpoch)::bigint) WHERE id = \(id)")
  }

  public func appeal(_ id: Int64) async throws(StoreError) -> AppealRecord? {
    try await self.connection.query(
      "SELECT id, rating_id, reason, outcome, note, filed_by, decided_by FROM rating_appeals WHERE id = \(id)"
    ).first(AppealRecord.self)
  }
}
