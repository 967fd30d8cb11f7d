/// An application taken in at a service centre that the item is not delegated to (事项下移,
/// docs/ACCESS.md): a centre with a list of delegated items offers those only. The RPC layer
/// answers FAILED_PRECONDITION with `description`.
public struct DelegationRefusal: Error, Sendable, Hashable, CustomStringConvertible {
  /// The rule's name, as refusals state it.
  public static let rule = "items delegated to centres (事项下移)"

  public var centreCode: String
  public var itemCode: String

  public init(centreCode: String, itemCode: String) {
    self.centreCode = centreCode
    self.itemCode = itemCode
  }

  public var description: String {
    "\(Self.rule): item \(self.itemCode) is not delegated to centre \(self.centreCode); take it in where it is offered"
  }
}
