public import CivicRepositories
public import CivicStore

extension Sequencer {
  /// Waits, at most `timeout`, until every row of `table` committed before the call has its
  /// number, so a reader that just wrote sees its own writes in a sequenced listing. Returns
  /// false when the time ran out (no sequencer leads, or it is far behind); the reader then
  /// goes on with what is numbered.
  @discardableResult
  public static func awaitSequenced(
    _ table: SequencedTable,
    store: StorePool,
    timeout: Duration = .seconds(10)
  ) async throws -> Bool {
    guard let newest = try await store.withConnection({ try await SequencerRepository($0).newestUnsequenced(table) }) else {
      return true
    }
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(2))
      if try await store.withConnection({ try await SequencerRepository($0).isSequenced(table, through: newest) }) { return true }
    }
    return false
  }
}
