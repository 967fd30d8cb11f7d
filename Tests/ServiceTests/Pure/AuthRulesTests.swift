import CivicRepositories
import CivicServices
import Testing

@Suite("Auth rules (pure)", .timeLimit(.minutes(5)))
struct AuthRulesTests {
  @Test("the throttle lets a few failures through, then doubles the hold-back up to the cap, per peer host")
  func throttle() {
    let settings = FailureThrottle.Settings(
      freeFailures: 3,
      window: .seconds(60),
      firstDelay: .milliseconds(100),
      maxDelay: .milliseconds(500),
      maxPeers: 2
    )
    var throttle = FailureThrottle(settings: settings)
    let start = ContinuousClock.now
    let delays = (0..<7).map { _ in throttle.recordFailure(peer: "ipv4:10.0.0.1", now: start) }
    #expect(delays == [Duration.zero, .zero, .zero, .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500)])
    // Another peer starts from zero; a new window forgets the past.
    #expect(throttle.recordFailure(peer: "ipv4:10.0.0.2", now: start) == Duration.zero)
    #expect(throttle.recordFailure(peer: "ipv4:10.0.0.1", now: start + .seconds(61)) == Duration.zero)
    #expect(throttle.failures(peer: "ipv4:10.0.0.1") == 1)
    // Bounded memory: a third peer evicts the oldest.
    _ = throttle.recordFailure(peer: "ipv4:10.0.0.3", now: start + .seconds(62))
    #expect(throttle.failures(peer: "ipv4:10.0.0.2") == 0)
  }

  @Test(
    "peer host strips the port so one client's connections count together",
    arguments: [
      ("ipv4:127.0.0.1:5000", "ipv4:127.0.0.1"), ("ipv6:[::1]:443", "ipv6:[::1]"), ("unix:/tmp/s", "unix:/tmp/s"),
    ]
  )
  func peerHost(peer: String, host: String) {
    #expect(FailureThrottle.host(ofPeer: peer) == host)
  }

  @Test("bearer secrets: 256 random bits, parsed only from a well-formed Bearer header")
  func bearer() {
    let secret = BearerToken.generate()
    #expect(secret.hasPrefix("cg_") && secret.count == 46)
    #expect(secret != BearerToken.generate())
    #expect(BearerToken.digest(of: secret).count == 32)
    #expect(BearerToken.secret(fromAuthorization: "Bearer \(secret)") == secret)
    #expect(BearerToken.secret(fromAuthorization: "bearer  \(secret)") == secret)
    #expect(BearerToken.secret(fromAuthorization: "Basic \(secret)") == nil)
    #expect(BearerToken.secret(fromAuthorization: secret) == nil)
    #expect(BearerToken.secret(fromAuthorization: "Bearer abc") == nil)
    // Spaces and tabs around the secret are trimmed; a line break is not.
    #expect(BearerToken.secret(fromAuthorization: "Bearer \(secret) \t ") == secret)
    #expect(BearerToken.secret(fromAuthorization: "Bearer \t\(secret)\u{3000}") == secret)
    #expect(BearerToken.secret(fromAuthorization: "Bearer \(secret)\n") == secret + "\n")
  }

  @Test("scope: a subtree holds its root and descendants only; the SQL range agrees")
  func scope() {
    let scope = UnitScope.subtree("/QH/QH-S1/")
    for (path, inside) in [
      ("/QH/QH-S1/", true), ("/QH/QH-S1/QH-S1-C1/", true), ("/QH/QH-S10/", false), ("/QH/QH-S1-X/", false), ("/QH/", false),
    ] {
      #expect(scope.contains(path: path) == inside, "\(path)")
      let range = scope.sqlRange
      let inRange = path.utf8.lexicographicallyPrecedes(range.upper.utf8) && !path.utf8.lexicographicallyPrecedes(range.lower.utf8)
      #expect(inRange == inside, "range \(path)")
    }
    #expect(UnitScope.everything.contains(path: "/anything/"))
  }

  @Test("policies admit the roles they name; public and authenticated admit any account")
  func policies() {
    #expect(MethodPolicy.roles([.admin]).admits([.clerk, .admin]))
    #expect(!MethodPolicy.roles([.admin]).admits([.clerk]))
    #expect(!MethodPolicy.roles([.admin]).admits([]))
    #expect(MethodPolicy.authenticated.admits([]))
  }
}

@Suite("Audit chain (pure)", .timeLimit(.minutes(5)))
struct AuditChainTests {
  func chain(_ count: Int) -> [AuditChain.Entry] {
    var entries: [AuditChain.Entry] = []
    var previous = AuditChain.genesis
    for seq in 1...Int64(count) {
      var entry = AuditChain.Entry(
        seq: seq,
        atMicros: 1_790_000_000_000_000 + seq,
        accountID: 7,
        account: "admin",
        method: "m",
        object: "unit:\(seq)",
        summary: "s\(seq)",
        requestID: "r",
        prevHash: previous
      )
      entry.hash = entry.expectedHash
      previous = entry.hash
      entries.append(entry)
    }
    return entries
  }

  func verify(_ entries: [AuditChain.Entry], headSeq: Int64, headHash: [UInt8]) -> AuditChain.Break? {
    var verifier = AuditChain.Verifier()
    for entry in entries { verifier.check(entry) }
    verifier.finish(headSeq: headSeq, headHash: headHash)
    return verifier.firstBreak
  }

  @Test("an untouched chain verifies; each kind of tampering is found at the right entry")
  func tampering() {
    let entries = self.chain(6)
    let head = (seq: Int64(6), hash: entries[5].hash)
    #expect(self.verify(entries, headSeq: head.seq, headHash: head.hash) == nil)

    var edited = entries
    edited[2].summary += "!"
    #expect(self.verify(edited, headSeq: head.seq, headHash: head.hash)?.seq == 3)

    var deleted = entries
    deleted.remove(at: 3)
    #expect(self.verify(deleted, headSeq: head.seq, headHash: head.hash)?.seq == 5)

    var swapped = entries
    swapped.swapAt(1, 2)
    #expect(self.verify(swapped, headSeq: head.seq, headHash: head.hash)?.seq == 3)

    #expect(self.verify(Array(entries.dropLast()), headSeq: head.seq, headHash: head.hash)?.seq == 6)

    // Field boundaries matter: moving a character from one field to the next changes the hash.
    var shifted = entries[0]
    shifted.method = "mu"
    shifted.object = "nit:1"
    #expect(shifted.expectedHash != entries[0].hash)
  }

  @Test("every broken entry is reported: an early break hides no later tampering, and the chain past an edit still checks")
  func everyBreakReported() {
    var entries = self.chain(8)
    let head = (seq: Int64(8), hash: entries[7].hash)
    entries[1].summary += " (edited long ago)"
    entries[5].object = "unit:forged"
    var verifier = AuditChain.Verifier()
    for entry in entries { verifier.check(entry) }
    verifier.finish(headSeq: head.seq, headHash: head.hash)
    #expect(verifier.breaks.map(\.seq) == [2, 6])
    #expect(verifier.brokenCount == 2)
    #expect(!verifier.isIntact)
    #expect(verifier.checked == 8)

    var clean = AuditChain.Verifier()
    for entry in self.chain(8) { clean.check(entry) }
    clean.finish(headSeq: head.seq, headHash: head.hash)
    #expect(clean.isIntact && clean.breaks.isEmpty)
  }
}

