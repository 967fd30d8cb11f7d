/// Merges a submission onto what is known of its person: one person per ID number, and the
/// trust rule per field (`FieldMerge`). Pure; the repository writes what it returns.
public struct PersonMerge: Sendable, Hashable {
  /// The person after the merge.
  public var state: PersonState
  public var outcome: MergeOutcome
  /// The fields whose stored value or provenance must be written.
  public var writes: [PersonField: SourcedValue]
  public var changes: [FieldChange]
  public var proposals: [FieldProposal]
  /// Tags the person did not have yet.
  public var newTags: [PersonTag]

  /// `submission` merged onto `current` (nil: no person has its ID number yet).
  public static func apply(_ submission: PersonSubmission, onto current: PersonState?) -> PersonMerge {
    var state = current ?? PersonState(personID: nil, idNumber: submission.idNumber)
    var merge = PersonMerge(state: state, outcome: current == nil ? .created : .merged, writes: [:], changes: [], proposals: [], newTags: [])
    for (field, value) in submission.values.sorted(by: { $0.key < $1.key }) {
      let incoming = SourcedValue(value, submission.provenance)
      switch FieldMerge.decide(current: state.fields[field], incoming: incoming) {
      case .set:
        state.fields[field] = incoming
        merge.writes[field] = incoming
        merge.changes.append(FieldChange(field: field, old: nil, new: value, provenance: submission.provenance))
      case .confirmed(let raises):
        if raises {
          state.fields[field] = incoming
          merge.writes[field] = incoming
        }
      case .overwrite(let old):
        state.fields[field] = incoming
        merge.writes[field] = incoming
        merge.changes.append(FieldChange(field: field, old: old, new: value, provenance: submission.provenance))
      case .propose(let currentValue):
        merge.proposals.append(FieldProposal(field: field, current: currentValue, proposed: value, provenance: submission.provenance))
      }
    }
    let known = Set(state.tags.map(\.key))
    for tag in submission.tags where !known.contains(tag.key) && !merge.newTags.contains(where: { $0.key == tag.key }) {
      merge.newTags.append(tag)
      state.tags.append(tag)
    }
    if !merge.proposals.isEmpty, merge.outcome == .merged { merge.outcome = .pendingCorrection }
    merge.state = state
    return merge
  }
}

/// A batch of submissions merged in order onto the people they name, so that two rows of one
/// person in a batch merge onto each other: the rows' outcomes, and per person what to write.
public struct PersonBatchMerge: Sendable {
  /// Per submission, in order: its outcome and the index of its person in `people`.
  public var rows: [(outcome: MergeOutcome, person: Int)]
  /// Every person the batch touched, with everything to write for them.
  public var people: [PersonMerge]

  public init(_ submissions: [PersonSubmission], existing: [IDNumber: PersonState]) {
    var index: [IDNumber: Int] = [:]
    var people: [PersonMerge] = []
    var rows: [(MergeOutcome, Int)] = []
    for submission in submissions {
      if let at = index[submission.idNumber] {
        let step = PersonMerge.apply(submission, onto: people[at].state)
        people[at].state = step.state
        people[at].writes.merge(step.writes) { _, new in new }
        people[at].changes += step.changes
        people[at].proposals += step.proposals
        people[at].newTags += step.newTags
        rows.append((step.outcome, at))
      } else {
        let step = PersonMerge.apply(submission, onto: existing[submission.idNumber])
        index[submission.idNumber] = people.count
        rows.append((step.outcome, people.count))
        people.append(step)
      }
    }
    self.rows = rows
    self.people = people
  }
}
