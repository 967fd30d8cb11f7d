/// The pool that serves the current task's statements instead of the one called.
///
/// A read-only call routed to a replica runs its handler with `readPool` bound to the
/// replica's pool: every `withConnection` and `transaction` on any pool inside it then leases
/// from the replica, so services keep one `StorePool` and know nothing of replicas. A write
/// slipped into such a call fails on the hot standby (SQLSTATE 25006), never on the primary.
public enum StoreRouting {
  @TaskLocal public static var readPool: StorePool?
}
