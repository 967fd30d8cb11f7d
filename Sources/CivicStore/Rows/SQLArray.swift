/// A one-dimensional PostgreSQL array bound as one parameter, in the array text format
/// (`{"a","b\"c",NULL}`): the way to hand a statement many rows at once, as parallel arrays
/// over `unnest($1::bigint[], $2::text[], …)`, which yields them in order.
///
/// Every element is double-quoted with `\` and `"` escaped, so any text is safe; `nil` is NULL.
public struct SQLArray: SQLEncodable, Hashable {
  public let sqlText: String?

  public init(_ elements: some Sequence<some SQLEncodable>) {
    // Built as UTF-8 bytes: a batch's arrays hold thousands of elements.
    var text: [UInt8] = [UInt8(ascii: "{")]
    var first = true
    for element in elements {
      if !first { text.append(UInt8(ascii: ",")) }
      first = false
      guard var value = element.sqlText else {
        text += "NULL".utf8
        continue
      }
      text.append(UInt8(ascii: "\""))
      value.withUTF8 { utf8 in
        for byte in utf8 {
          if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { text.append(UInt8(ascii: "\\")) }
          text.append(byte)
        }
      }
      text.append(UInt8(ascii: "\""))
    }
    text.append(UInt8(ascii: "}"))
    self.sqlText = String(decoding: text, as: UTF8.self)
  }
}
