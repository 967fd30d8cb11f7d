public import CivicRepositories
public import CivicStore

/// `civicgridd snapshots convert`: rewrites every case snapshot in one form (migration 0018),
/// a batch per transaction so that the server keeps serving beside it and a stop loses at most
/// the batch in flight. To binary finishes the move from JSON; to JSON prepares a rollback to a
/// server older than 0018, which reads only JSON.
public enum SnapshotConversion {
  public struct Progress: Sendable, Equatable {
    public var converted = 0
    public var batches = 0
  }

  /// Converts until no case is left in the other form; `report` sees the running totals after
  /// each batch. Cases written in the other form by an older server meanwhile are converted too
  /// if their id is above the batch reached.
  @discardableResult
  public static func run(
    _ pool: StorePool,
    to target: SnapshotForm,
    batchSize: Int = 1000,
    report: (Progress) -> Void = { _ in }
  ) async throws -> Progress {
    precondition(batchSize > 0, "batch size must be positive")
    var progress = Progress()
    var after: Int64 = 0
    while true {
      let (last, converted) = try await pool.transaction { connection in
        try await CaseRepository(connection).convertSnapshots(to: target, after: after, limit: batchSize)
      }
      guard let last else { return progress }
      after = last
      progress.converted += converted
      progress.batches += 1
      report(progress)
    }
  }

  /// How many cases hold their snapshot in each form.
  public static func forms(_ pool: StorePool) async throws -> [SnapshotForm: Int] {
    try await pool.transaction { connection in try await CaseRepository(connection).snapshotForms() }
  }
}
