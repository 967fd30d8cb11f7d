import CivicDomain
import CivicStore

/// The columns written beside the snapshot so that reads need not decode it (migration 0012):
/// the clocks in their stored form, and what a ListCases entry shows that had no column.
struct CaseReadColumns {
  var clocks: SQLBytes
  var currentStage: Int?
  var approved: Bool

  init(_ value: Case) {
    self.clocks = SQLBytes(CaseClocks(value).bytes)
    self.currentStage = value.currentStage
    if case .approved? = value.result { self.approved = true } else { self.approved = false }
  }
}
