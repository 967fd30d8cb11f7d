/// Reads every page of a list until the server says there are no more or `limit` items
/// were collected.
enum Paging {
  /// The largest page the directory serves.
  static let directoryPageSize: Int32 = 500

  /// - Parameters:
  ///   - limit: at most this many items; nil or 0 for all.
  ///   - page: fetches one page given the previous page's token ("" for the first) and
  ///     the page size wanted; returns the items and the next token ("" on the last page).
  static func collect<Item: Sendable, Token: Equatable & Sendable>(
    limit: Int?,
    maxPageSize: Int32,
    first: Token,
    last: Token,
    page: (Token, Int32) async throws -> (items: [Item], next: Token)
  ) async throws -> [Item] {
    var items: [Item] = []
    var token = first
    let limit = (limit ?? 0) > 0 ? limit : nil
    while true {
      let wanted = limit.map { Int32(clamping: min(Int($0 - items.count), Int(maxPageSize))) } ?? maxPageSize
      let (batch, next) = try await page(token, wanted)
      items.append(contentsOf: batch)
      if let limit, items.count >= limit {
        items.removeLast(items.count - limit)
        return items
      }
      // A page without items but with a token would loop for ever on a faulty server.
      if next == last || batch.isEmpty { return items }
      token = next
    }
  }
}
