/// A service purchase contract (政府购买服务): a purchasing unit buys a social organisation's
/// services for a scope of work items over a period of district days, for an amount, against
/// performance targets. Rules: docs/CONTRACTS.md.
public struct ServiceContract: Sendable, Hashable {
  public var id: Int64
  public var purchaserCode: String
  public var organisationCode: String
  public var title: String
  /// Work item codes: catalogue codes, or a case kind's item (`DISPUTE`, `CITIZEN-REQUEST`, …).
  public var itemCodes: [String]
  public var startsOn: CivilDate
  /// The last day it covers.
  public var endsOn: CivilDate
  /// In fen (0.01 yuan).
  public var amountFen: Int64
  public var targets: ContractTargets
  public var createdBy: String
  /// 1 when created; each amendment or early end adds one.
  public var version: Int
  /// Why it was ended early; nil unless it was.
  public var endReason: String?

  public init(
    id: Int64, purchaserCode: String, organisationCode: String, title: String, itemCodes: [String],
    startsOn: CivilDate, endsOn: CivilDate, amountFen: Int64, targets: ContractTargets, createdBy: String,
    version: Int = 1, endReason: String? = nil
  ) {
    self.id = id
    self.purchaserCode = purchaserCode
    self.organisationCode = organisationCode
    self.title = title
    self.itemCodes = itemCodes
    self.startsOn = startsOn
    self.endsOn = endsOn
    self.amountFen = amountFen
    self.targets = targets
    self.createdBy = createdBy
    self.version = version
    self.endReason = endReason
  }

  /// The public number of a contract ("SC000042").
  public static func number(_ id: Int64) -> String {
    let digits = String(id)
    return "SC" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
  }

  /// The id in a public number ("SC000042" or "42"); nil when it is neither.
  public static func id(_ number: String) -> Int64? {
    let digits = number.hasPrefix("SC") ? number.dropFirst(2) : Substring(number)
    guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let id = Int64(digits), id > 0 else { return nil }
    return id
  }

  /// The item codes of case kinds that are not catalogue items, which a scope may name.
  public static let kindItemCodes: Set<String> = [DisputeKind.item.code, CitizenRequestKind.item.code, FieldEventKind.item.code]

  /// `upcoming`, `active` or `ended` on `day` (ended too when ended before it began).
  public func status(on day: CivilDate) -> String {
    day > self.endsOn || self.endsOn < self.startsOn ? "ended" : day < self.startsOn ? "upcoming" : "active"
  }
}

/// Performance targets of a contract; 0 means none set.
public struct ContractTargets: Sendable, Hashable {
  /// Tasks the organisation is to take over the period.
  public var tasks: Int
  public var onTimePercent: Int
  public var satisfiedPercent: Int

  public init(tasks: Int, onTimePercent: Int, satisfiedPercent: Int) {
    self.tasks = tasks
    self.onTimePercent = onTimePercent
    self.satisfiedPercent = satisfiedPercent
  }
}
