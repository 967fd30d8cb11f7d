/// The stored form of a case snapshot (`cases.snapshot_bytes`, migration 0018): the record of
/// truth the engine loads before every transition and GetCase returns, read without JSON.
///
/// The primitives and the clock layout are those of `CaseClocks.bytes`. Enumerations are stored
/// as their raw-value text, so reordering cases never changes what old rows mean. The first
/// byte is the format; JSON snapshots (from before 0018) start with `{` and are told apart by it.
/// Format 2 differs only in the plan, where each stage also carries its tasks' own limits; a
/// case whose plan has none is written as format 1, byte for byte as before.
///
///     format      u8 = 1 or 2
///     case        text id, text kind, item, text channel, text applicant, text state, i32 version,
///                 materials, u8 present [i32 missingMaterialsDueBy days], u8 present [clock],
///                 i32 remainingWorkingDays, i32 remainingPercent, u8 present [plan],
///                 u8 present [i32 currentStage], i32 stageOpenings, i32 tasks [task],
///                 result, u8 present [text refusalReason], u8 present [text delivery]
///     item        text code, i32 version
///     materials   i32 required, each: text code, text name, u8 mayBeMissingAtAcceptance;
///                 i32 provided, each: text code (sorted)
///     plan        item, i32 stages, each: i32 units [text unit], limit,
///                 (format 2 only) u8 present [i32 limits [limit]]
///     task        i32 number, i32 stage, i32 opening, text unit, text state, i32 version,
///                 u8 present [text claimedBy], u8 present [text opinion], clock,
///                 u8 present [limit added, text reason, party requestedBy, i64 requestedAt]
///     result      u8 (0 none, 1 approved, 2 denied), then for 1 and 2: i32 opinions, each:
///                 i32 task, text unit, u8 approved, text opinion
extension Case {
  public static let storedFormat: UInt8 = 1
  /// The format of a plan whose stages carry per-task limits (`StagePlan.taskLimits`).
  public static let storedFormatWithTaskLimits: UInt8 = 2

  /// The snapshot in the stored format.
  public var storedBytes: [UInt8] {
    var out = StoredBytesWriter(capacity: 256 + 160 * self.tasks.count)
    let taskLimits = self.plan?.stages.contains { $0.taskLimits != nil } ?? false
    out.byte(taskLimits ? Self.storedFormatWithTaskLimits : Self.storedFormat)
    out.text(self.id.rawValue)
    out.text(self.kind)
    out.item(self.item)
    out.text(self.channel.rawValue)
    out.text(self.applicant)
    out.text(self.state.rawValue)
    out.int32(self.version)
    out.int32(self.materials.required.count)
    for material in self.materials.required {
      out.text(material.code)
      out.text(material.name)
      out.byte(material.mayBeMissingAtAcceptance ? 1 : 0)
    }
    out.int32(self.materials.provided.count)
    for code in self.materials.provided.sorted() { out.text(code) }
    out.optional(self.missingMaterialsDueBy) { $0.int32($1.daysSinceEpoch) }
    out.optional(self.clock) { $0.clock($1) }
    out.int32(self.warningPolicy.remainingWorkingDays)
    out.int32(self.warningPolicy.remainingPercent)
    out.optional(self.plan) { out, plan in
      out.item(plan.item)
      out.int32(plan.stages.count)
      for stage in plan.stages {
        out.int32(stage.units.count)
        for unit in stage.units { out.text(unit.rawValue) }
        out.limit(stage.limit)
        if taskLimits {
          out.optional(stage.taskLimits) { out, limits in
            out.int32(limits.count)
            for limit in limits { out.limit(limit) }
          }
        }
      }
    }
    out.optional(self.currentStage) { $0.int32($1) }
    out.int32(self.stageOpenings)
    out.int32(self.tasks.count)
    for task in self.tasks { out.task(task) }
    out.result(self.result)
    out.optional(self.refusalReason) { $0.text($1) }
    out.optional(self.delivery) { $0.text($1.rawValue) }
    return out.bytes
  }

  /// A snapshot read back from `bytes`; malformed or trailing bytes are refused as `snapshot`.
  public init(storedBytes bytes: [UInt8]) throws(DomainError) {
    var reader = StoredBytesReader(bytes, field: "snapshot")
    let format = try reader.byte()
    guard format == Self.storedFormat || format == Self.storedFormatWithTaskLimits else {
      throw .invalidField("snapshot", "stored format \(format) is not \(Self.storedFormat) or \(Self.storedFormatWithTaskLimits)")
    }
    let id = CaseID(try reader.text())
    let kind = try reader.text()
    let item = try reader.item()
    let channel = try reader.raw(IntakeChannel.self, "channel")
    let applicant = try reader.text()
    let state = CaseState(try reader.text())
    let version = try reader.int32()
    var required: [RequiredMaterial] = []
    for _ in 0..<(try reader.count()) {
      required.append(RequiredMaterial(code: try reader.text(), name: try reader.text(), mayBeMissingAtAcceptance: try reader.flag()))
    }
    var provided: Set<String> = []
    for _ in 0..<(try reader.count()) { provided.insert(try reader.text()) }
    let materials = try MaterialChecklist(required: required, provided: provided)
    let dueBy = try reader.optional { reader throws(DomainError) in CivilDate(daysSinceEpoch: try reader.int32()) }
    let clock = try reader.optional { reader throws(DomainError) in try reader.clock() }
    let policy = try WarningPolicy(remainingWorkingDays: try reader.int32(), remainingPercent: try reader.int32())
    let plan = try reader.optional { reader throws(DomainError) in
      try reader.plan(taskLimits: format == Self.storedFormatWithTaskLimits)
    }
    let currentStage = try reader.optional { reader throws(DomainError) in try reader.int32() }
    let stageOpenings = try reader.int32()
    var tasks: [CaseTask] = []
    let taskCount = try reader.count()
    tasks.reserveCapacity(taskCount)
    for _ in 0..<taskCount { tasks.append(try reader.task()) }
    let result = try reader.result()
    let refusalReason = try reader.optional { reader throws(DomainError) in try reader.text() }
    let delivery = try reader.optional { reader throws(DomainError) in try reader.raw(DeliveryMethod.self, "delivery") }
    guard reader.isAtEnd else { throw .invalidField("snapshot", "\(bytes.count - reader.offset) bytes after the delivery") }
    self.init(
      id: id, kind: kind, item: item, channel: channel, applicant: applicant, state: state, version: version,
      materials: materials, missingMaterialsDueBy: dueBy, clock: clock, warningPolicy: policy, plan: plan,
      currentStage: currentStage, stageOpenings: stageOpenings, tasks: tasks, result: result,
      refusalReason: refusalReason, delivery: delivery
    )
  }
}

extension StoredBytesWriter {
  fileprivate mutating func item(_ item: ItemRef) {
    self.text(item.code)
    self.int32(item.version)
  }

  fileprivate mutating func task(_ task: CaseTask) {
    self.int32(task.number)
    self.int32(task.stage)
    self.int32(task.opening)
    self.text(task.unit.rawValue)
    self.text(task.state.rawValue)
    self.int32(task.version)
    self.optional(task.claimedBy) { $0.text($1.rawValue) }
    self.optional(task.opinion) { $0.text($1) }
    self.clock(task.clock)
    self.optional(task.pendingExtension) { out, request in
      out.limit(request.added)
      out.text(request.reason)
      out.party(request.requestedBy)
      out.int64(request.requestedAt.secondsSinceEpoch)
    }
  }

  fileprivate mutating func result(_ result: CaseResult?) {
    let opinions: [TaskOpinion]
    switch result {
    case nil: return self.byte(0)
    case .approved(let list):
      self.byte(1)
      opinions = list
    case .denied(let list):
      self.byte(2)
      opinions = list
    }
    self.int32(opinions.count)
    for opinion in opinions {
      self.int32(opinion.task)
      self.text(opinion.unit.rawValue)
      self.byte(opinion.approved ? 1 : 0)
      self.text(opinion.opinion)
    }
  }
}

extension StoredBytesReader {
  fileprivate mutating func flag() throws(DomainError) -> Bool {
    switch try self.byte() {
    case 0: return false
    case 1: return true
    case let other: throw .invalidField(self.field, "flag byte \(other) at \(self.offset - 1)")
    }
  }

  fileprivate mutating func item() throws(DomainError) -> ItemRef {
    ItemRef(code: try self.text(), version: try self.int32())
  }

  fileprivate mutating func plan(taskLimits: Bool) throws(DomainError) -> CasePlan {
    let item = try self.item()
    var stages: [StagePlan] = []
    for _ in 0..<(try self.count()) {
      var units: [UnitID] = []
      for _ in 0..<(try self.count()) { units.append(UnitID(try self.text())) }
      let limit = try self.limit()
      var limits: [WorkingLimit]?
      if taskLimits {
        limits = try self.optional { reader throws(DomainError) in
          var limits: [WorkingLimit] = []
          for _ in 0..<(try reader.count()) { limits.append(try reader.limit()) }
          return limits
        }
      }
      guard limits == nil || limits!.count == units.count else {
        throw .invalidField(self.field, "stage with \(units.count) units has \(limits!.count) task limits")
      }
      stages.append(StagePlan(units: units, limit: limit, taskLimits: limits))
    }
    return CasePlan(item: item, stages: stages)
  }

  fileprivate mutating func task() throws(DomainError) -> CaseTask {
    CaseTask(
      number: try self.int32(),
      stage: try self.int32(),
      opening: try self.int32(),
      unit: UnitID(try self.text()),
      state: try self.raw(TaskState.self, "task state"),
      version: try self.int32(),
      claimedBy: try self.optional { reader throws(DomainError) in StaffID(try reader.text()) },
      opinion: try self.optional { reader throws(DomainError) in try reader.text() },
      clock: try self.clock(),
      pendingExtension: try self.optional { reader throws(DomainError) in
        ExtensionRequest(
          added: try reader.limit(),
          reason: try reader.text(),
          requestedBy: try reader.party(),
          requestedAt: Instant(secondsSinceEpoch: try reader.int64())
        )
      }
    )
  }

  fileprivate mutating func result() throws(DomainError) -> CaseResult? {
    let tag = try self.byte()
    guard tag != 0 else { return nil }
    guard tag == 1 || tag == 2 else { throw .invalidField(self.field, "result tag \(tag) at \(self.offset - 1)") }
    var opinions: [TaskOpinion] = []
    for _ in 0..<(try self.count()) {
      opinions.append(
        TaskOpinion(task: try self.int32(), unit: UnitID(try self.text()), approved: try self.flag(), opinion: try self.text())
      )
    }
    return tag == 1 ? .approved(opinions: opinions) : .denied(opinions: opinions)
  }
}
