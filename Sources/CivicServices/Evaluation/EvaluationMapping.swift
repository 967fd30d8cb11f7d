import CivicDomain
import CivicProtos
import Foundation

/// Proto ↔ domain for ratings and figures.
enum EvaluationMapping {
  static func moment(_ value: Civicgrid_V1_RatingMoment) throws(DomainError) -> Rating.Moment {
    switch value {
    case .acceptance: return .acceptance
    case .completion: return .completion
    default: throw Require.invalid("moment", "must be ACCEPTANCE or COMPLETION")
    }
  }

  static func moment(_ value: Rating.Moment) -> Civicgrid_V1_RatingMoment {
    switch value {
    case .acceptance: .acceptance
    case .completion: .completion
    }
  }

  static func level(_ value: Civicgrid_V1_RatingLevel) throws(DomainError) -> Rating.Level {
    switch value {
    case .verySatisfied: return .verySatisfied
    case .satisfied: return .satisfied
    case .basicallySatisfied: return .basicallySatisfied
    case .dissatisfied: return .dissatisfied
    case .veryDissatisfied: return .veryDissatisfied
    default: throw Require.invalid("level", "must be one of the five rating levels")
    }
  }

  static func level(_ value: Rating.Level) -> Civicgrid_V1_RatingLevel {
    switch value {
    case .verySatisfied: .verySatisfied
    case .satisfied: .satisfied
    case .basicallySatisfied: .basicallySatisfied
    case .dissatisfied: .dissatisfied
    case .veryDissatisfied: .veryDissatisfied
    }
  }

  static func figure(_ figure: Figure) -> Civicgrid_V1_IndicatorFigure {
    var message = Civicgrid_V1_IndicatorFigure()
    message.indicator = figure.indicator.rawValue
    message.numerator = figure.numerator
    message.denominator = Int64(figure.denominator)
    if let value = figure.value { message.value = value }
    message.display = figure.display
    return message
  }

  static func drill(_ row: DrillRow) -> Civicgrid_V1_DrillRow {
    var message = Civicgrid_V1_DrillRow()
    // A row of the training indicator is a grid worker, not a case (id 0).
    message.caseID = row.caseID == 0 ? "" : CaseNumber.format(row.caseID)
    message.counted = row.counted
    message.note = row.note
    return message
  }

  /// A period as requested; a malformed one is `invalidField` (INVALID_ARGUMENT naming the field).
  static func period(_ text: String, field: String = "period") throws(DomainError) -> Period {
    try Period(text, field: field)
  }
}
