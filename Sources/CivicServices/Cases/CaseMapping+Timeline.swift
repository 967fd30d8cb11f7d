import CivicProtos
import CivicRepositories

extension CaseMapping {
  /// One timeline entry as GetCase, GetDispute and GetRequest show it.
  static func timelineEntry(_ row: TimelineRow) -> Civicgrid_V1_TimelineEntry {
    var entry = Civicgrid_V1_TimelineEntry()
    entry.sequence = row.sequence
    entry.at = row.at.timestamp
    entry.by = row.by
    entry.task = row.task
    entry.kind = row.kind
    entry.summary = row.summary
    return entry
  }
}
