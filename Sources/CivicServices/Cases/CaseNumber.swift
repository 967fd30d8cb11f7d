import CivicDomain

/// The public case number: "C" and the row id in at least eight digits ("C00000042").
enum CaseNumber {
  static func format(_ id: Int64) -> String {
    let digits = String(id)
    return "C" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
  }

  static func parse(_ text: String, field: String = "case_id") throws(DomainError) -> Int64 {
    guard text.first == "C", let id = Int64(text.dropFirst()), id > 0, text.count <= 20 else {
      throw Require.invalid(field, "must be a case number like C00000042, got \"\(text.prefix(40))\"")
    }
    return id
  }
}
