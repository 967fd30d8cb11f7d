import CivicDomain
import CivicStore

extension StorePool {
  /// The transaction that takes in a new case. A first dispatch the community access list or
  /// a service contract refuses (a request's first tier, a routed field event, a supervision
  /// order) is counted for the caller's unit like refusals of later dispatches
  /// (`CaseExecutor.run`), outside the transaction, which rolled back.
  func intakeTransaction<R: Sendable>(by principal: Principal, at now: Instant, _ body: (StoreConnection) async throws -> R) async throws -> R {
    do {
      return try await self.transaction(body)
    } catch let refusal as any DispatchRefusal {
      try await AccessListService.record(refusal, by: principal, store: self, at: now)
      throw refusal
    }
  }
}
