import CivicDomain
import CivicRepositories
import CivicStore

/// Which side of an order may give a command. Separation of duties: the unit that receives
/// an order answers it (acknowledge, reply) and can never close or escalate it; that is the
/// issuer's unit's, or a unit above it.
enum OrderSide {
  case receiver
  case issuer
}

extension SupervisionService {
  /// Refuses a caller on the wrong side of the order. The order's case is filed under the
  /// issuer's unit (`record.unitPath`); its task names the receiving unit.
  static func requireSide(_ side: OrderSide, of record: CaseRecord, principal: Principal, on connection: StoreConnection) async throws {
    guard let receiver = record.value.orderTask?.unit.rawValue else { return }
    let receiverPath = try await Self.unit(receiver, field: "order_id", scope: .everything, on: connection).path
    // An order escalated up to its issuer's own unit is answered and closed there.
    let callerIsReceiver = receiverPath != record.unitPath && principal.unitPath.hasPrefix(receiverPath)
    switch side {
    case .receiver:
      guard principal.scope.contains(path: receiverPath) else {
        throw DomainError.permissionDenied("order \(record.number) is answered by \(receiver) or a unit above it")
      }
    case .issuer:
      guard principal.scope.contains(path: record.unitPath), !callerIsReceiver else {
        throw DomainError.permissionDenied(
          "order \(record.number) is verified and escalated by its issuer's unit or one above it, never by \(receiver), which received it"
        )
      }
    }
  }

}
