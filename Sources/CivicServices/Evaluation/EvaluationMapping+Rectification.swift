import CivicDomain
import CivicProtos
import CivicRepositories

extension EvaluationMapping {
  /// A rectification as the wire shows it: its case's state, task and deadline with the rating it answers.
  static func message(_ record: RectificationRecord, calendar: WorkingCalendar) throws -> Civicgrid_V1_RectificationRecord {
    let value = record.value
    var message = Civicgrid_V1_RectificationRecord()
    message.id = CaseNumber.format(record.caseID)
    message.ratingID = record.ratingID
    message.caseID = CaseNumber.format(record.ratedCaseID)
    message.unitCode = record.unitCode
    message.state = value.state.rawValue
    if let task = value.rectificationTask {
      message.deadline = try task.clock.deadlineIgnoringOpenPause(in: calendar).timestamp
      message.report = task.opinion ?? ""
    }
    message.version = Int64(value.version)
    message.openedAt = record.openedAt.timestamp
    message.ratingLevel = Self.level(record.ratingLevel)
    message.ratingComment = record.ratingComment
    message.returnVisitSatisfied = record.returnVisitSatisfied
    message.returnVisitNote = record.returnVisitNote
    return message
  }
}
