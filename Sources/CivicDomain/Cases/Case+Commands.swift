extension Case {
  /// Applies a command to the case as a whole under its kind's `policy`.
  ///
  /// Throws `staleVersion` when `expectedVersion` is not the current version, `illegalState`
  /// naming the current state when the policy does not allow the command now, and
  /// `precondition` or `invalidField` when the command's data does not fit the case.
  public func applying(
    _ command: CaseCommand,
    expectedVersion: Int,
    policy: CasePolicy,
    at instant: Instant,
    by party: Party
  ) throws(DomainError) -> CaseChange {
    try self.checkVersion(expectedVersion)
    var change = try CaseTransition(self, policy: policy, at: instant, by: party)
    _ = try policy.target(of: command.action, from: self.state, subject: self.subject)
    let missing = self.materials.missing
    switch command {
    case .accept:
      guard missing.isEmpty else {
        throw .precondition(self.subject, "materials \(missing.joined(separator: ", ")) are missing; accept needs none missing")
      }
    case .acceptWithMissingMaterials(let dueBy):
      switch self.materials.assessment {
      case .complete:
        throw .precondition(self.subject, "no material is missing; use accept")
      case .needsSupplement(let missing):
        throw .precondition(self.subject, "materials \(missing.joined(separator: ", ")) include some that may not be missing at acceptance")
      case .acceptableWithMissing(let missing):
        change.next.missingMaterialsDueBy = dueBy
        change.emit(.acceptedWithMissingMaterials(missing: missing, dueBy: dueBy))
      }
    case .refuse(let reason):
      try requireText("reason", reason)
      change.next.refusalReason = reason
      change.emit(.refused(reason: reason))
      try change.stopCaseClock()
    case .requestSupplement:
      guard !missing.isEmpty else { throw .precondition(self.subject, "no material is missing; requestSupplement needs something missing") }
      change.emit(.supplementRequested(missing: missing))
      try change.updateClock(.clockPaused(.awaitingSupplement)) { (clock: inout WorkClock) throws(DomainError) in
        try clock.pause(at: instant, reason: .awaitingSupplement, causedBy: .applicant)
      }
    case .supplement(let provided):
      try change.next.materials.add(provided)
      change.emit(.materialsProvided(provided.sorted()))
      try change.updateClock(.clockResumed) { (clock: inout WorkClock) throws(DomainError) in try clock.resume(at: instant) }
    case .supplyMissingMaterials(let provided):
      try change.next.materials.add(provided)
      let still = change.next.materials.missing
      guard still.isEmpty else { throw .precondition(self.subject, "materials \(still.joined(separator: ", ")) are still missing") }
      change.next.missingMaterialsDueBy = nil
      change.emit(.materialsProvided(provided.sorted()))
    case .dispatch:
      guard let plan = self.plan, !plan.stages.isEmpty else {
        throw .precondition(self.subject, "has no stages; dispatch needs a promised item")
      }
      try change.openStage(0)
    case .completeAtWindow(let opinion):
      try requireText("opinion", opinion)
      guard self.clock == nil else { throw .precondition(self.subject, "is a promised item; completeAtWindow needs an immediate item") }
      let unit: UnitID = if case .staff(_, let unit) = party { unit } else { "window" }
      let result = CaseResult.approved(opinions: [TaskOpinion(task: 0, unit: unit, approved: true, opinion: opinion)])
      change.next.result = result
      change.emit(.completed(result))
    case .deliver(let method):
      guard missing.isEmpty else {
        throw .precondition(self.subject, "materials \(missing.joined(separator: ", ")) are still missing; deliver needs them supplied")
      }
      change.next.delivery = method
      change.emit(.delivered(method))
    }
    try change.move(command.action)
    return change.finish()
  }
}
