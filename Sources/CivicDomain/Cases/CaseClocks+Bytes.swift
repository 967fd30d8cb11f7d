/// The stored form of a case's clocks (`cases.clocks`, migration 0012): what GetCase, ListCases
/// and the warning sweep need to evaluate clocks, read without decoding the case snapshot.
///
/// Fixed-width big-endian integers and length-prefixed UTF-8, so that the migration can write
/// the same bytes from a JSON snapshot in SQL (`case_clocks_bytes(jsonb)`):
///
///     format      u8 = 2 (1: written before tasks carried their unit; still read)
///     policy      i32 remainingWorkingDays, i32 remainingPercent
///     case clock  u8 present, [clock]
///     tasks       i32 count, each: i32 number, text state, text unit (format 2 only), clock
///     clock       limit, i64 start, u8 stopped, [i64 stoppedAt],
///                 i32 pauses, each: i64 start, u8 ended, [i64 end], text reason, party causedBy
///                 i32 extensions, each: limit added, text reason, party requestedBy, text approvedBy, i64 approvedAt
///     limit       u8 unit (0 working days, 1 working hours), i32 amount
///     party       u8 (0 applicant, 1 staff: text staff, text unit, 2 system)
///     text        i32 byte count, UTF-8
extension CaseClocks {
  static let format: UInt8 = 2

  /// The clocks in the stored format.
  public var bytes: [UInt8] {
    var out = StoredBytesWriter(capacity: 64 + 48 * self.tasks.count)
    out.byte(Self.format)
    out.int32(self.warningPolicy.remainingWorkingDays)
    out.int32(self.warningPolicy.remainingPercent)
    out.optional(self.clock) { $0.clock($1) }
    out.int32(self.tasks.count)
    for task in self.tasks {
      out.int32(task.number)
      out.text(task.state.rawValue)
      out.text(task.unit?.rawValue ?? "")
      out.clock(task.clock)
    }
    return out.bytes
  }

  /// Clocks read back from `bytes`; malformed or trailing bytes are refused as `clocks`.
  public init(bytes: [UInt8]) throws(DomainError) {
    var reader = StoredBytesReader(bytes, field: "clocks")
    let format = try reader.byte()
    guard format == 1 || format == Self.format else { throw .invalidField("clocks", "stored format \(format) is not 1 or \(Self.format)") }
    let policy = try WarningPolicy(remainingWorkingDays: try reader.int32(), remainingPercent: try reader.int32())
    let clock = try reader.optional { reader throws(DomainError) in try reader.clock() }
    var tasks: [TaskClock] = []
    let count = try reader.count()
    tasks.reserveCapacity(count)
    for _ in 0..<count {
      let number = try reader.int32()
      let state = try reader.raw(TaskState.self, "task \(number)'s state")
      // Format 1 has no unit; format 2 writes an empty one for a clock built without it.
      let code = format == 1 ? "" : try reader.text()
      let unit = code.isEmpty ? nil : UnitID(code)
      tasks.append(TaskClock(number: number, state: state, clock: try reader.clock(), unit: unit))
    }
    guard reader.isAtEnd else { throw .invalidField("clocks", "\(bytes.count - reader.offset) bytes after the last task") }
    self.init(clock: clock, warningPolicy: policy, tasks: tasks)
  }
}

extension StoredBytesWriter {
  mutating func clock(_ clock: WorkClock) {
    self.limit(clock.limit)
    self.int64(clock.start.secondsSinceEpoch)
    self.optional(clock.stoppedAt) { $0.int64($1.secondsSinceEpoch) }
    self.int32(clock.pauses.count)
    for pause in clock.pauses {
      self.int64(pause.start.secondsSinceEpoch)
      self.optional(pause.end) { $0.int64($1.secondsSinceEpoch) }
      self.text(pause.reason.rawValue)
      self.party(pause.causedBy)
    }
    self.int32(clock.extensions.count)
    for granted in clock.extensions {
      self.limit(granted.added)
      self.text(granted.reason)
      self.party(granted.requestedBy)
      self.text(granted.approvedBy.rawValue)
      self.int64(granted.approvedAt.secondsSinceEpoch)
    }
  }

  mutating func limit(_ limit: WorkingLimit) {
    switch limit {
    case .workingDays(let days):
      self.byte(0)
      self.int32(days)
    case .workingHours(let hours):
      self.byte(1)
      self.int32(hours)
    }
  }

  mutating func party(_ party: Party) {
    switch party {
    case .applicant: self.byte(0)
    case .staff(let staff, let unit):
      self.byte(1)
      self.text(staff.rawValue)
      self.text(unit.rawValue)
    case .system: self.byte(2)
    }
  }
}

extension StoredBytesReader {
  mutating func clock() throws(DomainError) -> WorkClock {
    let limit = try self.limit()
    let start = Instant(secondsSinceEpoch: try self.int64())
    let stoppedAt = try self.optional { reader throws(DomainError) in Instant(secondsSinceEpoch: try reader.int64()) }
    var pauses: [PauseInterval] = []
    for _ in 0..<(try self.count()) {
      let start = Instant(secondsSinceEpoch: try self.int64())
      let end = try self.optional { reader throws(DomainError) in Instant(secondsSinceEpoch: try reader.int64()) }
      let reason = try self.raw(PauseReason.self, "pause reason")
      pauses.append(PauseInterval(start: start, end: end, reason: reason, causedBy: try self.party()))
    }
    var extensions: [ClockExtension] = []
    for _ in 0..<(try self.count()) {
      extensions.append(
        ClockExtension(
          added: try self.limit(),
          reason: try self.text(),
          requestedBy: try self.party(),
          approvedBy: StaffID(try self.text()),
          approvedAt: Instant(secondsSinceEpoch: try self.int64())
        )
      )
    }
    return WorkClock(limit: limit, start: start, pauses: pauses, extensions: extensions, stoppedAt: stoppedAt)
  }

  mutating func limit() throws(DomainError) -> WorkingLimit {
    switch try self.byte() {
    case 0: return .workingDays(try self.int32())
    case 1: return .workingHours(try self.int32())
    case let other: throw .invalidField(self.field, "limit unit \(other)")
    }
  }

  mutating func party() throws(DomainError) -> Party {
    switch try self.byte() {
    case 0: return .applicant
    case 1: return .staff(StaffID(try self.text()), unit: UnitID(try self.text()))
    case 2: return .system
    case let other: throw .invalidField(self.field, "party tag \(other)")
    }
  }
}
