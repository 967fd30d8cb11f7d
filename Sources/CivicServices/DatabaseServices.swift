public import CivicStore
public import GRPCCore

/// The services that keep their state in PostgreSQL, as the server registers them.
/// Every method they serve needs an entry in `MethodPolicies.all`.
public enum DatabaseServices {
  public static func make(store: StorePool) -> [any RegistrableRPCService] {
    [
      DirectoryService(store: store),
      AuditService(store: store),
      AppointmentsService(store: store),
    ]
  }
}
