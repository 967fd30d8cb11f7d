/// A one-dimensional PostgreSQL array bound as one parameter, in the array text format
/// (`{"a","b\"c",NULL}`): the way to hand a statement many rows at once, as parallel arrays
/// over `unnest($1::bigint[], $2::text[], …)`, which yields them in order.
///
/// Every element is double-quoted with `\` and `"` escaped, so any text is safe; `nil` is NULL.
public struct SQLArray: SQLEncodable, Hashable {
  public let sqlText: String?

  public init(_ elements: some Sequence<some SQLEncodable>) {
    var text = "{"
    var first = true
    for element in elements {
      if !first { text += "," }
      first = false
      guard let value = element.sqlText else {
        text += "NULL"
        continue
      }
      text += "\""
      for character in value.unicodeScalars {
        if character == "\"" || character == "\\" { text += "\\" }
        text.unicodeScalars.append(character)
      }
      text += "\""
    }
    self.sqlText = text + "}"
  }
}
