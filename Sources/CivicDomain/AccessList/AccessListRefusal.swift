/// Work for an item refused at a community or village whose approved access list does not
/// hold it (社区工作事项准入, docs/ACCESS.md). The case engine raises it where tasks are
/// assigned; the RPC layer answers FAILED_PRECONDITION with `description`.
public struct AccessListRefusal: Error, Sendable, Hashable, CustomStringConvertible {
  /// The rule's name, as refusals state it.
  public static let rule = "community access list (社区工作事项准入)"

  public var unitCode: String
  public var itemCode: String

  public init(unitCode: String, itemCode: String) {
    self.unitCode = unitCode
    self.itemCode = itemCode
  }

  public var description: String {
    "\(Self.rule): item \(self.itemCode) is not on the approved list of \(self.unitCode); no work for it may be assigned there"
  }
}

/// One entry of a community's access list.
public struct AccessItem: Sendable, Hashable {
  public var code: String
  public var name: String
  /// The body that approved the item for communities.
  public var approvingBody: String
  public var approvedOn: CivilDate
  /// The document or rule it rests on.
  public var basis: String

  public init(code: String, name: String, approvingBody: String, approvedOn: CivilDate, basis: String) {
    self.code = code
    self.name = name
    self.approvingBody = approvingBody
    self.approvedOn = approvedOn
    self.basis = basis
  }
}
