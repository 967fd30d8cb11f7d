import CivicDomain
import CivicProtos

/// A contract request's fields, validated (INVALID_ARGUMENT naming the field otherwise);
/// what needs the database (units, catalogue items) is checked by the service.
struct ContractTerms {
  var purchaserCode: String
  var organisationCode: String
  var title: String
  var itemCodes: [String]
  var startsOn: CivilDate
  var endsOn: CivilDate
  var amountFen: Int64
  var targets: ContractTargets

  init(_ request: Civicgrid_V1_CreateContractRequest) throws(DomainError) {
    self.purchaserCode = try Validation.code(request.purchaserUnitCode, field: "purchaser_unit_code")
    self.organisationCode = try Validation.code(request.organisationUnitCode, field: "organisation_unit_code")
    self.title = try Validation.text(request.title, field: "title", maxLength: 200)
    self.itemCodes = try Self.itemCodes(request.itemCodes)
    self.startsOn = try Validation.date(request.startsOn, field: "starts_on")
    self.endsOn = try Validation.date(request.endsOn, field: "ends_on")
    guard self.endsOn >= self.startsOn else { throw Require.invalid("ends_on", "must not be before starts_on") }
    guard request.amountFen > 0 else { throw Require.invalid("amount_fen", "must be a positive amount in fen") }
    self.amountFen = request.amountFen
    self.targets = try Self.targets(request.targets)
  }

  /// A scope: 1–100 work item codes, unique.
  static func itemCodes(_ items: [String]) throws(DomainError) -> [String] {
    guard (1...100).contains(items.count) else { throw Require.invalid("item_codes", "must hold 1–100 work item codes") }
    var codes: [String] = []
    for (index, item) in items.enumerated() {
      let code = try Validation.code(item, field: "item_codes[\(index)]")
      guard !codes.contains(code) else { throw Require.invalid("item_codes[\(index)]", "\(code) is listed twice") }
      codes.append(code)
    }
    return codes
  }

  static func targets(_ targets: Civicgrid_V1_ContractTargets) throws(DomainError) -> ContractTargets {
    guard targets.tasks >= 0 else { throw Require.invalid("targets.tasks", "must not be negative") }
    guard (0...100).contains(targets.onTimePercent) else { throw Require.invalid("targets.on_time_percent", "must be 0–100") }
    guard (0...100).contains(targets.satisfiedPercent) else { throw Require.invalid("targets.satisfied_percent", "must be 0–100") }
    return ContractTargets(tasks: Int(targets.tasks), onTimePercent: Int(targets.onTimePercent), satisfiedPercent: Int(targets.satisfiedPercent))
  }
}
