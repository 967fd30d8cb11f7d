public import CivicDomain
public import CivicStore

/// Service purchase contracts (`service_contracts`, `service_contract_items`) and the tasks
/// assigned under them (`service_contract_tasks`). Writes run in the caller's transaction.
public struct ContractRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The unit kind whose work needs a contract.
  public static let organisationKind = "social_organisation"

  /// Inserts a contract with its scope; returns its id.
  public func insert(
    purchaserID: Int64, organisationID: Int64, title: String, itemCodes: [String], startsOn: CivilDate, endsOn: CivilDate,
    amountFen: Int64, targets: ContractTargets, by login: String, at now: Instant
  ) async throws(StoreError) -> Int64 {
    let id = try await self.connection.query(
      """
      INSERT INTO service_contracts (purchaser_unit_id, organisation_unit_id, title, starts_on, ends_on, amount_fen,
        target_tasks, target_on_time_percent, target_satisfied_percent, created_by, created_at)
      VALUES (\(purchaserID), \(organisationID), \(title), \(startsOn.description)::date, \(endsOn.description)::date, \(amountFen),
        \(targets.tasks), \(targets.onTimePercent), \(targets.satisfiedPercent), \(login), to_timestamp(\(now.secondsSinceEpoch)::bigint))
      RETURNING id
      """
    ).scalar(Int64.self) ?? 0
    try await self.connection.execute(
      "INSERT INTO service_contract_items (contract_id, item_code) SELECT \(id), unnest(\(SQLArray(itemCodes))::text[])"
    )
    try await self.insertVersion(contractID: id, change: "created", summary: "created", reason: "", by: login, at: now)
    return id
  }

  /// A contract visible in `range`: its purchaser or its organisation is in it; `lock` holds
  /// its row until the transaction ends (to change it).
  public func contract(id: Int64, within range: (lower: String, upper: String), lock: Bool = false) async throws(StoreError) -> ServiceContract? {
    try await self.contracts(where: "c.id = \(id)", within: range, limit: 1, lock: lock).first
  }

  /// Contracts visible in `range`, newest first, optionally of one organisation.
  public func list(organisationCode: String?, within range: (lower: String, upper: String), limit: Int) async throws(StoreError) -> [ServiceContract] {
    var filter: SQLQuery = "true"
    if let organisationCode { filter = "o.code = \(organisationCode)" }
    return try await self.contracts(where: filter, within: range, limit: limit)
  }

  private func contracts(
    where filter: SQLQuery, within range: (lower: String, upper: String), limit: Int, lock: Bool = false
  ) async throws(StoreError) -> [ServiceContract] {
    let rows = try await self.connection.query(
      """
      SELECT c.id, p.code, o.code, c.title, c.starts_on::text, c.ends_on::text, c.amount_fen, c.target_tasks,
        c.target_on_time_percent, c.target_satisfied_percent, c.created_by,
        (SELECT string_agg(i.item_code, E'\\n' ORDER BY i.item_code) FROM service_contract_items i WHERE i.contract_id = c.id),
        c.version, c.end_reason
      FROM service_contracts c JOIN units p ON p.id = c.purchaser_unit_id JOIN units o ON o.id = c.organisation_unit_id
      WHERE \(filter)
        AND ((p.path >= \(range.lower) AND p.path < \(range.upper)) OR (o.path >= \(range.lower) AND o.path < \(range.upper)))
      ORDER BY c.id DESC LIMIT \(limit)\(unescaped: lock ? " FOR UPDATE OF c" : "")
      """
    ).decode((Int64, String, String, String, String, String, Int64, Int, Int, Int, String, String?, Int, String?).self)
    return try rows.map { row throws(StoreError) in
      guard let starts = CivilDate(row.4), let ends = CivilDate(row.5) else {
        throw StoreError(code: .decoding, serverMessage: "service_contracts: period")
      }
      return ServiceContract(
        id: row.0, purchaserCode: row.1, organisationCode: row.2, title: row.3,
        itemCodes: (row.11 ?? "").split(separator: "\n").map(String.init), startsOn: starts, endsOn: ends, amountFen: row.6,
        targets: ContractTargets(tasks: row.7, onTimePercent: row.8, satisfiedPercent: row.9), createdBy: row.10,
        version: row.12, endReason: row.13
      )
    }
  }

  /// The indicators of a contract, from its tasks and the ratings or return visits of their cases.
  public func indicators(contractID: Int64) async throws(StoreError) -> ContractIndicators {
    let tasks = try await self.connection.query(
      """
      SELECT count(*)::int, count(on_time)::int, count(*) FILTER (WHERE on_time)::int
      FROM service_contract_tasks WHERE contract_id = \(contractID)
      """
    ).decode((Int, Int, Int).self).first ?? (0, 0, 0)
    // A dispute's return visit says whether the parties were satisfied; other cases by their
    // rating (好差评), the completion rating before the acceptance one, appeals upheld left out.
    let judged = try await self.connection.query(
      """
      WITH judged AS (
        SELECT coalesce(
          (SELECT d.satisfied FROM disputes d WHERE d.case_id = t.case_id),
          (SELECT r.level IN ('verySatisfied', 'satisfied', 'basicallySatisfied') FROM ratings r
           WHERE r.case_id = t.case_id AND r.excluded_at IS NULL ORDER BY r.moment = 'completion' DESC LIMIT 1)
        ) AS satisfied
        FROM (SELECT DISTINCT case_id FROM service_contract_tasks WHERE contract_id = \(contractID)) t
      )
      SELECT count(satisfied)::int, count(*) FILTER (WHERE satisfied)::int FROM judged
      """
    ).decode((Int, Int).self).first ?? (0, 0)
    return ContractIndicators(tasks: tasks.0, finished: tasks.1, onTime: tasks.2, judged: judged.0, satisfied: judged.1)
  }
}
