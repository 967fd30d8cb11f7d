import CivicStore

extension SQLQuery {
  /// ` FOR UPDATE` (of the table `alias` if given) when `lock`, else nothing: the rows read
  /// stay locked until the transaction ends.
  static func rowLock(_ lock: Bool, of alias: String? = nil) -> SQLQuery {
    guard lock else { return "" }
    return SQLQuery(unsafeSQL: alias.map { " FOR UPDATE OF " + $0 } ?? " FOR UPDATE")
  }
}
