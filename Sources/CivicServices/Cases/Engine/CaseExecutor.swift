import CivicDomain
import CivicRepositories
import CivicStore

/// Runs one command on one case, for every kind: principal → id → version → transaction →
/// load with lock → kind → calendar → access → apply → write → side tables → audit → map.
///
/// An RPC supplies only what is its own: which kinds it acts on, who may act (`access`), the
/// domain command (`apply`), the rows beside the case (`after`), its audit line and its answer.
/// Missing, out-of-scope and other-kind cases answer the same NOT_FOUND.
struct CaseExecutor: Sendable {
  let store: StorePool

  /// What a command sees while it runs, inside its transaction.
  struct Context: Sendable {
    let principal: Principal
    let connection: StoreConnection
    /// The case as loaded (locked), before the command.
    let record: CaseRecord
    /// The case's kind, from the registry.
    let kind: any CaseKind
    let calendar: WorkingCalendar
    let now: Instant

    /// The caller as the timeline records them.
    var party: Party { CasesService.party(self.principal) }
    var number: String { self.record.number }
  }

  /// Which case a command reaches and how it is named when it is not there.
  struct Target: Sendable {
    var id: Int64
    var expectedVersion: Int
    /// The kinds the RPC acts on; nil for every registered kind.
    var kinds: Set<String>?
    /// "case", "order", "rectification": the NOT_FOUND subject.
    var noun: String = "case"
    /// Where the case must be visible (its intake unit or a task's unit in it).
    var scope: UnitScope
  }

  /// An audit row: the object and its one-line summary; nil when the caller's own audit row
  /// covers the command (a rectification voided inside an appeal's decision).
  typealias AuditEntry = (object: String, summary: String)

  /// Parses the request's case id and version, then runs the command in its own transaction.
  func run<Output: Sendable>(
    caseID: String,
    field: String = "case_id",
    expectedVersion: Int64,
    kinds: Set<String>? = nil,
    noun: String = "case",
    scope: ((Principal) -> UnitScope)? = nil,
    at now: Instant,
    access: @escaping @Sendable (Context) async throws -> Void = { _ in },
    apply: @escaping @Sendable (Context, Int) async throws -> CaseChange,
    after: @escaping @Sendable (Context, CaseChange) async throws -> Void = { _, _ in },
    audit: @escaping @Sendable (Context, CaseChange) -> AuditEntry?,
    map: @escaping @Sendable (Context, CaseChange) async throws -> Output
  ) async throws -> Output {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(caseID, field: field)
    let version = try Require.version("expected_version", expectedVersion)
    let target = Target(id: id, expectedVersion: version, kinds: kinds, noun: noun, scope: scope?(principal) ?? principal.scope)
    do {
      return try await self.store.transaction { connection in
        try await Self.execute(
          target, by: principal, at: now, on: connection, access: access, apply: apply, after: after, audit: audit, map: map
        )
      }
    } catch let refusal as any DispatchRefusal {
      // Counted for the report of who pushes work down (access list or contract), outside the
      // transaction that rolled back.
      try await AccessListService.record(refusal, by: principal, store: self.store, at: now)
      throw refusal
    }
  }

  /// The command inside a transaction the caller already holds (an upheld appeal voids its
  /// rectification in the appeal's transaction).
  static func execute<Output: Sendable>(
    _ target: Target,
    by principal: Principal,
    at now: Instant,
    on connection: StoreConnection,
    access: @Sendable (Context) async throws -> Void = { _ in },
    apply: @Sendable (Context, Int) async throws -> CaseChange,
    after: @Sendable (Context, CaseChange) async throws -> Void = { _, _ in },
    audit: @Sendable (Context, CaseChange) -> AuditEntry?,
    map: @Sendable (Context, CaseChange) async throws -> Output
  ) async throws -> Output {
    let cases = CaseRepository(connection)
    let notFound = DomainError.notFound("\(target.noun) \(CaseNumber.format(target.id))")
    guard let record = try await cases.load(target.id, visibleIn: target.scope.sqlRange, lock: true) else { throw notFound }
    guard let kind = CaseKinds.named(record.value.kind), target.kinds?.contains(kind.name) ?? true else { throw notFound }
    let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
    let context = Context(principal: principal, connection: connection, record: record, kind: kind, calendar: calendar, now: now)
    try await access(context)
    let change = try await apply(context, target.expectedVersion)
    try await cases.update(id: record.id, old: record.value, new: change, unitPath: record.unitPath, calendar: calendar)
    try await after(context, change)
    if let entry = audit(context, change) {
      try await AuditLog.append(on: connection, object: entry.object, summary: entry.summary)
    }
    return try await map(context, change)
  }
}

extension CaseRecord {
  /// The public case number ("C00000042").
  var number: String { CaseNumber.format(self.id) }
}
