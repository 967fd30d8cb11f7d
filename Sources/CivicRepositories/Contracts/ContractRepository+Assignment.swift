public import CivicDomain
public import CivicStore

extension ContractRepository {
  /// A task of a case assigned to a unit, as the engine asks about it.
  public struct Assignment: Sendable, Hashable {
    public var task: Int
    public var unitCode: String

    public init(task: Int, unitCode: String) {
      self.task = task
      self.unitCode = unitCode
    }
  }

  /// The contract each assignment to a social organisation falls under (task number →
  /// contract id), or the refusal of the first one no active contract covers
  /// (`ContractCoverage`). Assignments to other units need none and are left out.
  ///
  /// The check serialises with amendments and early ends: when an organisation with
  /// contracts is among the units, its contract rows are locked `FOR SHARE` (a change holds
  /// its row `FOR UPDATE`) and read again in a statement of their own. Under READ COMMITTED
  /// that read sees the last committed version, and no change commits before this
  /// transaction does, so the task is linked (`link`) under the version it was checked
  /// against. (Under REPEATABLE READ a change committed after the snapshot fails the lock
  /// with 40001, and the transaction is retried.)
  public func contracts(for assignments: [Assignment], itemCode: String, on day: CivilDate) async throws -> [Int: Int64] {
    guard !assignments.isEmpty else { return [:] }
    let candidates = try await self.candidates(unitCodes: assignments.map(\.unitCode), itemCode: itemCode)
    var chosen: [Int: Int64] = [:]
    for assignment in assignments.sorted(by: { $0.task < $1.task }) {
      guard let organisation = candidates[assignment.unitCode] else { continue }
      chosen[assignment.task] = try ContractCoverage.contract(for: itemCode, at: assignment.unitCode, on: day, among: organisation).get()
    }
    return chosen
  }

  /// The organisations among `unitCodes`, each with its contracts as the rule sees them
  /// (none: an organisation without contracts). Holds their contract rows `FOR SHARE` until
  /// the transaction ends, read again after the lock (see `contracts(for:itemCode:on:)`).
  func candidates(unitCodes: [String], itemCode: String) async throws -> [String: [ContractCoverage.Candidate]] {
    let codes = Array(Set(unitCodes)).sorted()
    // Most assignments name no organisation: one statement, no lock.
    let unlocked = try await self.coverage([itemCode: codes])[itemCode] ?? [:]
    guard unlocked.values.contains(where: { !$0.isEmpty }) else { return unlocked }
    try await self.connection.execute(
      """
      SELECT c.id FROM service_contracts c JOIN units u ON u.id = c.organisation_unit_id
      WHERE u.code = ANY(\(SQLArray(codes))::text[]) AND u.kind = \(Self.organisationKind)
      ORDER BY c.id FOR SHARE OF c
      """
    )
    return try await self.coverage([itemCode: codes])[itemCode] ?? [:]
  }

  /// Contract rows (organisation code, then the contract's id, first and last day, whether its
  /// scope holds the item, whether it was ended early; nil contract columns for an
  /// organisation without contracts) grouped by organisation, as the rule sees them.
  static func candidates(_ rows: [(String, Int64?, String?, String?, Bool, Bool)]) -> [String: [ContractCoverage.Candidate]] {
    var candidates: [String: [ContractCoverage.Candidate]] = [:]
    for row in rows {
      // An organisation without contracts comes back once, with no contract columns.
      if candidates[row.0] == nil { candidates[row.0] = [] }
      guard let id = row.1, let starts = row.2.flatMap(CivilDate.init), let ends = row.3.flatMap(CivilDate.init) else { continue }
      candidates[row.0, default: []].append(
        ContractCoverage.Candidate(id: id, startsOn: starts, endsOn: ends, coversItem: row.4, endedEarly: row.5)
      )
    }
    return candidates
  }

  /// Links tasks to the contracts they were assigned under, with the contracts' current
  /// versions (the ones checked: `contracts(for:)` holds their rows until commit); `moved`
  /// tasks (reassigned to another unit) lose the link they had.
  public func link(caseID: Int64, _ contracts: [Int: Int64], moved: [Int], at now: Instant) async throws(StoreError) {
    if !moved.isEmpty {
      try await self.connection.execute(
        "DELETE FROM service_contract_tasks WHERE case_id = \(caseID) AND task = ANY(\(SQLArray(moved))::integer[]) AND finished_at IS NULL"
      )
    }
    guard !contracts.isEmpty else { return }
    let pairs = contracts.sorted { $0.key < $1.key }
    try await self.connection.execute(
      """
      INSERT INTO service_contract_tasks (contract_id, case_id, task, assigned_at, contract_version)
      SELECT contract, \(caseID), task, to_timestamp(\(now.secondsSinceEpoch)::bigint),
        (SELECT c.version FROM service_contracts c WHERE c.id = contract)
      FROM unnest(\(SQLArray(pairs.map(\.value)))::bigint[], \(SQLArray(pairs.map(\.key)))::integer[]) AS r(contract, task)
      ON CONFLICT DO NOTHING
      """
    )
  }

  /// Records how tasks that just closed ended on their contract links, if any: on time or
  /// not, or nil for a task withdrawn unfinished (it counts in neither).
  public func finish(caseID: Int64, _ finished: [(task: Int, at: Instant, onTime: Bool?)]) async throws(StoreError) {
    guard !finished.isEmpty else { return }
    try await self.connection.execute(
      """
      UPDATE service_contract_tasks t SET finished_at = to_timestamp(r.at), on_time = r.on_time
      FROM unnest(\(SQLArray(finished.map(\.task)))::integer[], \(SQLArray(finished.map(\.at.secondsSinceEpoch)))::bigint[],
        \(SQLArray(finished.map(\.onTime)))::boolean[]) AS r(task, at, on_time)
      WHERE t.case_id = \(caseID) AND t.task = r.task AND t.finished_at IS NULL
      """
    )
  }
}
