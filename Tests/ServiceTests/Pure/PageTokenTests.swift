import CivicDomain
import CivicRepositories
import Foundation
import Testing

/// The one page-token format: what a server issues comes back as the same position, and
/// anything else is refused naming page_token.
@Suite("Page tokens", .timeLimit(.minutes(1)))
struct PageTokenTests {
  static let refused = DomainError.invalidField("page_token", "is not a token this server issued")

  @Test("a token decodes to the key it was made from", arguments: ["/QH/QH-S1/", "admin@qh", "QH-PS-001", "键/with\u{1F}separator?"])
  func roundTrip(key: String) throws {
    let token = PageToken(after: key).encoded
    #expect(!token.contains(key), "the key is not readable in the token")
    #expect(try PageToken.decode(token)?.parts == [key])
  }

  @Test("a numeric token gives its id back; multi-part tokens keep their parts")
  func idsAndParts() throws {
    #expect(try PageToken.decode(PageToken(after: Int64(42)).encoded)?.id() == 42)
    let two = PageToken(parts: ["2026-03-01", "17"]).encoded
    #expect(try PageToken.decode(two, parts: 2)?.parts == ["2026-03-01", "17"])
    #expect(throws: Self.refused) { try PageToken.decode(two, parts: 1) }
  }

  @Test("the empty token is the first page")
  func empty() throws {
    #expect(try PageToken.decode("") == nil)
  }

  @Test(
    "made-up, cut and edited tokens are refused as INVALID_ARGUMENT on page_token",
    arguments: ["QH-PS-001", "42", "nan_1", "%%%", "MQ", String(repeating: "A", count: 2000)]
  )
  func madeUp(token: String) {
    #expect(throws: Self.refused) { try PageToken.decode(token) }
  }

  @Test("changing any one character of an issued token is caught")
  func tampered() {
    let token = PageToken(after: "/QH/QH-S1/QH-S1-C1/").encoded
    var caught = 0
    for index in token.indices {
      var edited = token
      let replacement: Character = token[index] == "A" ? "B" : "A"
      edited.replaceSubrange(index...index, with: String(replacement))
      if (try? PageToken.decode(edited)) == nil { caught += 1 }
    }
    // base64 padding bits of the last character may not change the bytes; every other edit is refused.
    #expect(caught >= token.count - 1)
    #expect(throws: Self.refused) { try PageToken.decode(String(token.dropLast(4))) }
  }
}
