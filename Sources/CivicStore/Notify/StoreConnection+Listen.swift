extension StoreConnection {
  /// LISTENs on `channel` in this session: for a dedicated connection
  /// (`StorePool.withDedicatedConnection`), never a pooled one, which others share.
  public func listen(_ channel: String) async throws(StoreError) {
    let connection = self.connection
    try await self.run { () throws(StoreError) in try connection.listen(channel) }
  }

  /// Waits up to `timeout` for notifications to this session and returns those that
  /// arrived, none when the time ran out (those received during its statements included).
  public func notifications(waitingUpTo timeout: Duration) async throws(StoreError) -> [StoreNotification] {
    let connection = self.connection
    return try await self.run { () throws(StoreError) in try connection.waitForNotifications(timeout: timeout) }
  }
}
