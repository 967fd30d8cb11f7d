import CivicStore
import Tracing

extension WarningSweeper {
  /// Runs one batch inside a span `warning_sweep.batch`, the parent of its transaction, with
  /// what it did (`sweep.cases_examined`, `sweep.cases_postponed`, `sweep.levels_changed`); the store's tracer, none
  /// when the store has none.
  func tracedBatch(_ run: () async throws -> Pass) async throws -> Pass {
    guard let tracer = self.store.tracer else { return try await run() }
    let span = tracer.startSpan("warning_sweep.batch", ofKind: .internal)
    defer { span.end() }
    do {
      let pass = try await ServiceContext.$current.withValue(span.context) { try await run() }
      span.attributes["sweep.cases_examined"] = pass.casesExamined
      span.attributes["sweep.cases_postponed"] = pass.casesPostponed
      span.attributes["sweep.levels_changed"] = pass.changes
      return pass
    } catch {
      let kind = (error as? StoreError).map { "\($0)" } ?? "\(type(of: error))"
      span.attributes["error.type"] = kind
      span.setStatus(SpanStatus(code: .error, message: kind))
      throw error
    }
  }
}
