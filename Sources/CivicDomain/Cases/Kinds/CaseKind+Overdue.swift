extension Case {
  /// What the sweeper does when task `number`'s clock ran out: the change of the command the
  /// case's kind gives for it (`OverdueCommandingKind.commandOnOverdue`), applied as the
  /// system, or nil when the kind gives none or the task is no longer open.
  public func overdueChange(of kind: any CaseKind, task number: Int, at instant: Instant) throws(DomainError) -> CaseChange? {
    guard let kind = kind as? any OverdueCommandingKind, self.tasks.indices.contains(number - 1) else { return nil }
    return try self.overdueChange(kind, task: self.tasks[number - 1], at: instant)
  }

  private func overdueChange<Kind: OverdueCommandingKind>(_ kind: Kind, task: CaseTask, at instant: Instant) throws(DomainError) -> CaseChange? {
    guard task.state.isOpen, let command = kind.commandOnOverdue(task: task, of: self) else { return nil }
    return try self.applying(command, of: kind, expectedVersion: self.version, at: instant, by: .system)
  }
}
