import CivicDomain
import CivicRepositories
import CivicStore

extension IndicatorGathering {
  /// The request facts of units in `range` (docs/METRICS.md, 9–11): each tier fact and tier
  /// task belongs to the tier's unit; a task is due at its clock's deadline.
  static func requests(
    _ range: (lower: String, upper: String),
    start: Int,
    end: Int,
    calendars: inout Calendars,
    facts: IndicatorRepository
  ) async throws -> (tiers: [RequestTierFact], replies: [RequestReplyFact]) {
    // Paths are ASCII, so String order is the byte order of the SQL range ("/" < "0").
    let paths = try await facts.unitPaths().filter { $0.value >= range.lower && $0.value < range.upper }
    var tiers: [RequestTierFact] = []
    var replies: [RequestReplyFact] = []
    for request in try await facts.requests(start: start, end: end) {
      let calendar = try await calendars.calendar(request.jurisdiction)
      let found = try request.value.requestIndicatorFacts(
        caseID: request.id,
        tiers: request.tiers,
        completedAt: request.completedAt,
        unitPaths: paths
      ) { (task: CaseTask) throws(DomainError) -> Instant in try task.clock.deadlineIgnoringOpenPause(in: calendar) }
      tiers += found.tiers
      replies += found.replies
    }
    return (tiers, replies)
  }
}
