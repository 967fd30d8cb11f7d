import Foundation

// A residence-certificate case with a pause, extensions and a stopped task clock, as the sweep,
// ListCases and GetCase meet them; decoded N times from its JSON snapshot (before), its binary
// snapshot (now, migration 0018), its clocks cut out as JSON (the sweep before) and its stored
// clocks bytes (now, migration 0012).
var value = try submitted(provided: ["id-card", "hukou"])
value = try value.run(.requestSupplement, "2026-03-02 10:10").case
value = try value.run(.supplement(provided: ["photo"]), "2026-03-03 09:00").case
value = try value.dispatched()
let police = try value.task(1).unit
value = try value.run(.claim, task: 1, "2026-03-03 10:00", by: handler(police)).case
value = try value.run(.requestExtension(.workingDays(2), reason: "site visit"), task: 1, "2026-03-03 10:05", by: handler(police)).case
value = try value.run(.decideExtension(approve: true, note: "ok"), task: 1, "2026-03-03 11:00", by: supervisor).case
value = try value.run(.approve(opinion: "ok"), task: 1, "2026-03-04 11:00", by: handler(police)).case

let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys]
let snapshot = try encoder.encode(value)
let clocksJSON = try encoder.encode(CaseClocks(value))
let bytes = CaseClocks(value).bytes
let n = 20_000
func time(_ label: String, _ body: () throws -> Void) rethrows {
  let start = DispatchTime.now().uptimeNanoseconds
  for _ in 0..<n { try body() }
  let perCall = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(n) / 1000
  print(String(format: "| %@ | %.1f |", label, perCall))
}
print("snapshot JSON \(snapshot.count) B, snapshot bytes \(value.storedBytes.count) B, clocks JSON \(clocksJSON.count) B, clocks bytes \(bytes.count) B; \(n) decodes each")
print("| decode | µs each |")
print("|---|---:|")
let decoder = JSONDecoder()
try time("whole snapshot, JSONDecoder (GetCase and every transition before 0018; ListCases before 0012, per entry)") {
  _ = try decoder.decode(Case.self, from: snapshot)
}
let stored = value.storedBytes
try time("whole snapshot, Case(storedBytes:) (GetCase and every transition now)") { _ = try Case(storedBytes: stored) }
let encoder2 = JSONEncoder()
encoder2.outputFormatting = [.sortedKeys]
try time("whole snapshot, JSONEncoder (every write before 0018)") { _ = try encoder2.encode(value) }
try time("whole snapshot, storedBytes (every write now)") { _ = value.storedBytes }
try time("clocks cut out of the snapshot, JSONDecoder (sweep before, per case)") {
  _ = try decoder.decode(CaseClocks.self, from: clocksJSON)
}
try time("CaseClocks(bytes:) (ListCases and sweep now)") { _ = try CaseClocks(bytes: bytes) }
// The hex text PostgreSQL sends for bytea, decoded as SQLBytes does, is part of the read too.
let hex = "\\x" + bytes.map { String(format: "%02x", $0) }.joined()
try time("hex text to bytes + CaseClocks(bytes:)") {
  let utf8 = Array(hex.utf8)
  var out: [UInt8] = []
  out.reserveCapacity((utf8.count - 2) / 2)
  var i = 2
  func nib(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
  while i < utf8.count { out.append(nib(utf8[i]) << 4 | nib(utf8[i + 1])); i += 2 }
  _ = try CaseClocks(bytes: out)
}
