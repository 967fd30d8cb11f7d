import CivicDomain
import Testing

/// The trust rule and one person per ID number, pure (docs/PEOPLE.md).
@Suite("Person merge", .timeLimit(.minutes(1)))
struct PersonMergeTests {
  static let at = Instant(secondsSinceEpoch: 1_796_000_000)
  static let id = IDNumber("110105195303150027")!

  static func value(_ text: String, _ source: ProvenanceSource) -> SourcedValue {
    SourcedValue(text, Provenance(source: source, collectedBy: "x", collectedAt: Self.at))
  }

  @Test(
    "FieldMerge: set when empty, confirm the same value, replace at equal or higher trust, propose at lower trust",
    arguments: [
      (nil, ("a", ProvenanceSource.gridVisit), FieldMerge.set),
      (("a", .window), ("a", .gridVisit), .confirmed(raisesProvenance: false)),
      (("a", .gridVisit), ("a", .departmentImport), .confirmed(raisesProvenance: true)),
      (("a", .window), ("b", .window), .overwrite(old: "a")),
      (("a", .gridVisit), ("b", .departmentImport), .overwrite(old: "a")),
      (("a", .window), ("b", .selfDeclared), .propose(current: "a")),
    ] as [((String, ProvenanceSource)?, (String, ProvenanceSource), FieldMerge)]
  )
  func fieldMerge(current: (String, ProvenanceSource)?, incoming: (String, ProvenanceSource), expected: FieldMerge) {
    let result = FieldMerge.decide(current: current.map { Self.value($0.0, $0.1) }, incoming: Self.value(incoming.0, incoming.1))
    #expect(result == expected)
  }

  @Test("trust follows the source: department import 4, window 3, grid visit 2, self-declared 1")
  func trustLevels() {
    #expect(ProvenanceSource.allCases.map(\.trust) == [2, 3, 4, 1])
  }

  @Test("the ID number carries the birth date and gender; malformed numbers are refused")
  func idNumber() {
    #expect(Self.id.birthDate == CivilDate(year: 1953, month: 3, day: 15) && Self.id.gender == .female)
    #expect(IDNumber("11010519530315001x")?.text == "11010519530315001X")
    #expect(IDNumber("11010519530315001")?.text == nil && IDNumber("1101051953031500AX") == nil)
  }

  @Test("a batch merges two rows of one person onto each other; a lower-trust conflict becomes a proposal, not a write")
  func batch() {
    let window = Provenance(source: .window, collectedBy: "clerk", collectedAt: Self.at)
    let visit = Provenance(source: .gridVisit, collectedBy: "grid", collectedAt: Self.at)
    let first = PersonSubmission(idNumber: Self.id, values: [.name: "Zhang", .phone: "1"], tags: [], provenance: window)
    let second = PersonSubmission(idNumber: Self.id, values: [.phone: "2", .employment: "retired"], tags: [], provenance: visit)
    let merge = PersonBatchMerge([first, second], existing: [:])
    #expect(merge.rows.map(\.outcome) == [.created, .pendingCorrection] && merge.rows.map(\.person) == [0, 0])
    let person = merge.people[0]
    #expect(person.writes[.phone]?.value == "1" && person.writes[.employment]?.value == "retired")
    #expect(person.proposals == [FieldProposal(field: .phone, current: "1", proposed: "2", provenance: visit)])
    #expect(person.changes.map(\.field) == [.name, .phone, .employment])
  }

  @Test("a tag already held is not added again")
  func tags() {
    let provenance = Provenance(source: .window, collectedBy: "clerk", collectedAt: Self.at)
    let tag = PersonTag(kind: .difficulty, subtype: "", validFrom: CivilDate(year: 2026, month: 1, day: 1)!, validUntil: nil, provenance: provenance)
    let current = PersonState(personID: 7, idNumber: Self.id, tags: [tag])
    let merge = PersonMerge.apply(PersonSubmission(idNumber: Self.id, values: [:], tags: [tag], provenance: provenance), onto: current)
    #expect(merge.newTags.isEmpty && merge.outcome == .merged)
    #expect(tag.isActive(on: CivilDate(year: 2026, month: 6, day: 1)!) && !tag.isActive(on: CivilDate(year: 2025, month: 12, day: 31)!))
  }
}
