import CivicDomain
import CivicProtos
import CivicRepositories
import Foundation

/// Events and their routing table between the domain and protobuf. Personal data (the
/// resident's ID number and phone) is mapped in full; `PersonalDataInterceptor` masks it.
enum FieldEventMapping {
  static let categories: [Civicgrid_V1_FieldEventCategory: FieldEventCategory] = [
    .safetyHazard: .safetyHazard, .publicSecurity: .publicSecurity, .drugControl: .drugControl,
    .urbanManagement: .urbanManagement, .ethnicReligious: .ethnicReligious, .peopleInDifficulty: .peopleInDifficulty,
    .environment: .environment, .facilities: .facilities, .disputeLead: .disputeLead, .other: .other,
    .citizenRequest: .citizenRequest,
  ]

  static func category(_ category: FieldEventCategory) -> Civicgrid_V1_FieldEventCategory {
    self.categories.first { $0.value == category }?.key ?? .unspecified
  }

  static func category(_ category: Civicgrid_V1_FieldEventCategory, field: String) throws(DomainError) -> FieldEventCategory {
    guard let known = self.categories[category] else {
      throw Require.invalid(field, "must be one of the event categories, got \(category)")
    }
    return known
  }

  static func attachments(_ refs: [Civicgrid_V1_AttachmentRef], field: String) throws(DomainError) -> [AttachmentRef] {
    guard refs.count <= 20 else { throw Require.invalid(field, "must be at most 20, got \(refs.count)") }
    var result: [AttachmentRef] = []
    for (index, ref) in refs.enumerated() {
      result.append(
        try AttachmentRef(uri: ref.uri, sha256: ref.sha256, size: ref.size, mediaType: ref.mediaType, field: "\(field)[\(index)]")
      )
    }
    return result
  }

  static func attachment(_ ref: AttachmentRef) -> Civicgrid_V1_AttachmentRef {
    var m = Civicgrid_V1_AttachmentRef()
    m.uri = ref.uri
    m.sha256 = ref.sha256
    m.size = ref.size
    m.mediaType = ref.mediaType
    return m
  }

  // MARK: Routing table

  static func route(_ route: EventRoutingTable.Route) -> Civicgrid_V1_EventRoute {
    var m = Civicgrid_V1_EventRoute()
    m.category = self.category(route.category)
    m.tier = RequestMapping.tier(route.tier)
    m.departmentCode = route.department
    m.workingDays = Int32(route.workingDays)
    m.urgentHours = Int32(route.urgentHours)
    m.checkOneIn = Int32(route.checkOneIn)
    m.requestCategory = route.requestCategory
    m.accessItemCode = route.accessItemCode ?? ""
    return m
  }

  static func route(_ m: Civicgrid_V1_EventRoute, index: Int) throws(DomainError) -> EventRoutingTable.Route {
    let field = "routes[\(index)]"
    let category = try self.category(m.category, field: "\(field).category")
    // A route into the requests intake has no tier of its own.
    let tier = m.requestCategory.isEmpty || m.tier != .unspecified ? try RequestMapping.tier(m.tier, field: "\(field).tier") : .district
    return EventRoutingTable.Route(
      category: category,
      tier: tier,
      department: m.departmentCode,
      workingDays: Int(m.workingDays),
      urgentHours: Int(m.urgentHours),
      checkOneIn: Int(m.checkOneIn),
      requestCategory: m.requestCategory,
      accessItemCode: m.accessItemCode.isEmpty ? nil : try Validation.code(m.accessItemCode, field: "\(field).access_item_code")
    )
  }

  static func table(_ stored: EventRoutingRepository.Version?) -> Civicgrid_V1_EventRoutingTable {
    var m = Civicgrid_V1_EventRoutingTable()
    guard let stored else { return m }
    m.version = Int32(stored.version)
    m.routes = stored.table.routes.map(self.route)
    m.acknowledgeMinutes = Int32(stored.table.acknowledgeMinutes)
    m.createdBy = stored.createdBy
    m.createdAt = stored.createdAt.timestamp
    return m
  }

  // MARK: Events

  static func message(
    _ record: CaseRecord,
    _ event: FieldEventRecord,
    calendar: WorkingCalendar,
    at now: Instant,
    timeline: [Civicgrid_V1_TimelineEntry] = []
  ) throws -> Civicgrid_V1_FieldEvent {
    var m = Civicgrid_V1_FieldEvent()
    m.id = record.number
    m.case = try CaseMapping.message(record, calendar: calendar, at: now, timeline: timeline)
    m.category = self.category(event.category)
    m.urgent = event.urgent
    m.gridCode = event.gridCode
    m.location = event.address
    if let point = event.point {
      m.point.latitude = point.latitude
      m.point.longitude = point.longitude
    }
    m.description_p = event.description
    m.attachments = event.attachments.map(self.attachment)
    m.reportedBy = event.reportedBy
    if record.applicantIDNumber != "" || record.applicantPhone != "" || event.residentNamed(record) || event.residentPersonID != nil {
      m.resident.name = record.value.applicant
      m.resident.idNumber = record.applicantIDNumber
      m.resident.phone = record.applicantPhone
      m.resident.personID = event.residentPersonID ?? 0
    }
    m.routingVersion = Int32(event.routingVersion ?? 0)
    m.handlingUnitCode = event.handlingUnitCode ?? ""
    m.requestID = event.requestCaseID.map(CaseNumber.format) ?? ""
    m.selfHandled = event.selfHandled
    m.evidence = event.evidence
    m.evidenceAttachments = event.evidenceAttachments.map(self.attachment)
    m.sampledForCheck = event.sampledForCheck
    m.reportedAt = event.reportedAt.timestamp
    return m
  }

  /// A case's title when no resident is named: the category and the grid. Not the location:
  /// a case's title is shown unmasked to every role, and the location is personal data.
  static func title(_ category: FieldEventCategory, grid: String) -> String {
    String("\(category.title) · \(grid)".prefix(200))
  }
}

extension FieldEventRecord {
  /// Whether the case's applicant is a resident's name rather than the generated title (or
  /// the title events reported before migration 0020's release carried: category · location).
  func residentNamed(_ record: CaseRecord) -> Bool {
    let applicant = record.value.applicant
    return applicant != FieldEventMapping.title(self.category, grid: self.gridCode)
      && applicant != String("\(self.category.title) · \(self.address)".prefix(200))
  }
}
