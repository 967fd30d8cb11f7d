import CivicStore

extension StoreError {
  /// A unique constraint refused the row (SQLSTATE 23505): the key is taken.
  var isUniqueViolation: Bool { self.sqlState == "23505" }
}
