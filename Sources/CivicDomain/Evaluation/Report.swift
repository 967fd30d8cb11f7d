/// A periodic report (周例会、月研判、季总结、年考核) for one unit's subtree: the period's
/// figures, a trend over the preceding periods, and the assessment line. Rendered as
/// Markdown (tables and a text bar chart) and as CSV.
public struct Report: Sendable, Hashable {
  public struct Column: Sendable, Hashable {
    public let period: Period
    public let figures: [Figure]
    /// Read from a closed period's frozen figures.
    public let closed: Bool

    public init(period: Period, figures: [Figure], closed: Bool) {
      self.period = period
      self.figures = figures
      self.closed = closed
    }
  }

  public let unitCode: String
  public let unitName: String
  public let responsiblePerson: String
  /// Oldest first; the last column is the report's period.
  public let columns: [Column]
  public let assessment: RankedUnit?
  public let schemeName: String

  /// The targets the current period is held to (nil: none).
  public let targets: IndicatorTargets?

  public init(
    unitCode: String, unitName: String, responsiblePerson: String, columns: [Column], assessment: RankedUnit?, schemeName: String,
    targets: IndicatorTargets? = nil
  ) {
    self.targets = targets
    self.unitCode = unitCode
    self.unitName = unitName
    self.responsiblePerson = responsiblePerson
    self.columns = columns
    self.assessment = assessment
    self.schemeName = schemeName
  }

  static func title(_ cadence: Period.Cadence) -> String {
    switch cadence {
    case .week: "Weekly meeting report (周例会)"
    case .month: "Monthly review (月研判)"
    case .quarter: "Quarterly summary (季总结)"
    case .year: "Annual assessment (年考核)"
    }
  }

  public var markdown: String {
    guard let current = self.columns.last else { return "" }
    var lines: [String] = []
    lines.append("# \(Self.title(current.period.cadence)): \(self.unitName) (\(self.unitCode)), \(current.period)")
    lines.append("")
    lines.append("- Period: \(current.period.first) to \(current.period.last)\(current.closed ? " (closed: figures frozen)" : " (open: figures as of now)")")
    lines.append("- First responsible person (第一责任人): \(self.responsiblePerson.isEmpty ? "—" : self.responsiblePerson)")
    lines.append("- Scope: the unit and every unit below it; metrics version \(IndicatorSet.version) (docs/METRICS.md)")
    lines.append("")
    lines.append("## Indicators")
    lines.append("")
    lines.append("| indicator | value | numerator | denominator |")
    lines.append("|---|---:|---:|---:|")
    for figure in current.figures {
      lines.append("| \(figure.indicator.title) | \(figure.display) | \(Self.number(figure.numerator)) | \(figure.denominator) |")
    }
    lines.append("")
    if let targets = self.targets, !targets.targets.isEmpty {
      let missed = Set(targets.misses(current.figures).map(\.target.indicator))
      lines.append("## Targets (v\(targets.version))")
      lines.append("")
      lines.append("| indicator | target | value | |")
      lines.append("|---|---:|---:|---|")
      for target in targets.targets {
        let figure = current.figures.first { $0.indicator == target.indicator }
        let verdict = missed.contains(target.indicator) ? "**missed**" : (figure?.value == nil ? "no data" : "met")
        lines.append("| \(target.indicator.title) | \(target.display) | \(figure?.display ?? "—") | \(verdict) |")
      }
      lines.append("")
      lines.append(missed.isEmpty ? "No target missed." : "Targets missed: \(targets.targets.filter { missed.contains($0.indicator) }.map(\.indicator.rawValue).joined(separator: ", ")).")
      lines.append("")
    }
    lines.append("## Trend")
    lines.append("")
    lines.append("| indicator | " + self.columns.map { "\($0.period)" }.joined(separator: " | ") + " |")
    lines.append("|---|" + self.columns.map { _ in "---:|" }.joined())
    for indicator in Indicator.allCases {
      let cells = self.columns.map { column in column.figures.first { $0.indicator == indicator }?.display ?? "—" }
      lines.append("| \(indicator.title) | " + cells.joined(separator: " | ") + " |")
    }
    lines.append("")
    for indicator in [Indicator.onTimeCompletionRate, .satisfactionRate] {
      lines.append("\(indicator.title):")
      lines.append("")
      lines.append("```")
      for column in self.columns {
        let figure = column.figures.first { $0.indicator == indicator }
        let bar = figure?.value.map { String(repeating: "█", count: Int(($0 * 20).rounded())) } ?? ""
        let label = "\(column.period)".padding(toLength: 9)
        lines.append("\(label) |\(bar.padding(toLength: 20))| \(figure?.display ?? "—")")
      }
      lines.append("```")
      lines.append("")
    }
    lines.append("## Assessment (基础工作+社会评价)")
    lines.append("")
    if let assessment = self.assessment, assessment.score.noData {
      lines.append("Scheme: \(self.schemeName)")
      lines.append("")
      lines.append("No data: nothing to assess in this period (no scored figure applicable); listed apart, not ranked.")
    } else if let assessment = self.assessment {
      lines.append("Scheme: \(self.schemeName)")
      lines.append("")
      lines.append("| rank | basic work | social evaluation | penalty | total | listed orders | criticisms |")
      lines.append("|---:|---:|---:|---:|---:|---:|---:|")
      let score = assessment.score
      lines.append(
        "| \(assessment.rank) | \(Figure.fixed(score.basicWork, 2)) | \(Figure.fixed(score.socialEvaluation, 2)) | −\(Figure.fixed(score.penalty, 2)) | \(Figure.fixed(score.total, 2)) | \(score.penalties.listedOrders) | \(score.penalties.criticisms) |"
      )
    } else {
      lines.append("Not assessed for this period.")
    }
    lines.append("")
    return lines.joined(separator: "\n")
  }

  /// One row per period and indicator: `period,indicator,value,numerator,denominator,closed`.
  public var csv: String {
    var lines = ["unit,period,indicator,value,numerator,denominator,closed"]
    for column in self.columns {
      for figure in column.figures {
        let value = figure.value.map { Self.number($0) } ?? ""
        lines.append("\(self.unitCode),\(column.period),\(figure.indicator.rawValue),\(value),\(Self.number(figure.numerator)),\(figure.denominator),\(column.closed)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func number(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : Figure.fixed(value, 4).trimmingTrailingZeros
  }
}

extension String {
  func padding(toLength length: Int) -> String {
    self.count >= length ? self : self + String(repeating: " ", count: length - self.count)
  }

  var trimmingTrailingZeros: String {
    guard self.contains(".") else { return self }
    var text = self
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }
}
