public import CivicDomain
public import CivicStore
public import Foundation

/// What only an event has, beside its case (`field_events`), with its grid's and handling
/// unit's codes.
public struct FieldEventRecord: Sendable, SQLRecord {
  public var caseID: Int64
  public var category: FieldEventCategory
  public var urgent: Bool
  public var gridCode: String
  public var gridPath: String
  public var address: String
  public var point: GeoPoint?
  public var description: String
  public var attachments: [AttachmentRef]
  public var reportedBy: String
  public var reportedAt: Date
  public var routingVersion: Int?
  public var handlingUnitCode: String?
  public var requestCaseID: Int64?
  public var selfHandled: Bool
  public var evidence: String
  public var evidenceAttachments: [AttachmentRef]
  public var sampledForCheck: Bool
  public var closeNote: String
  /// The person the resident was named by at the report, when one was (`case_people`).
  public var residentPersonID: Int64?

  static let columns: SQLQuery = """
    e.case_id, e.category, e.urgent, g.code AS grid_code, e.grid_path, e.address, e.latitude, e.longitude, e.description,
    e.attachments::text AS attachments, e.reported_by, e.reported_at, e.routing_version, h.code AS handling_unit_code,
    e.request_case_id, e.self_handled, e.evidence, e.evidence_attachments::text AS evidence_attachments, e.sampled_for_check,
    e.close_note, \(CasePersonRepository.applicant(ofCase: "e.case_id"))
    FROM field_events e JOIN units g ON g.id = e.grid_id LEFT JOIN units h ON h.id = e.handling_unit_id
    """

  public init(row: Row) throws(StoreError) {
    self.caseID = try row.decode(column: "case_id")
    guard let category = FieldEventCategory(rawValue: try row.decode(String.self, column: "category")) else {
      throw StoreError(code: .decoding, serverMessage: "field_events row has an unknown category")
    }
    self.category = category
    self.urgent = try row.decode(column: "urgent")
    self.gridCode = try row.decode(column: "grid_code")
    self.gridPath = try row.decode(column: "grid_path")
    self.address = try row.decode(column: "address")
    let latitude = try row.decode(Double?.self, column: "latitude")
    let longitude = try row.decode(Double?.self, column: "longitude")
    if let latitude, let longitude { self.point = try? GeoPoint(latitude: latitude, longitude: longitude, field: "point") }
    self.description = try row.decode(column: "description")
    self.attachments = try Self.attachments(try row.decode(column: "attachments"))
    self.reportedBy = try row.decode(column: "reported_by")
    self.reportedAt = try row.decode(column: "reported_at")
    self.routingVersion = try row.decode(column: "routing_version")
    self.handlingUnitCode = try row.decode(column: "handling_unit_code")
    self.requestCaseID = try row.decode(column: "request_case_id")
    self.selfHandled = try row.decode(column: "self_handled")
    self.evidence = try row.decode(column: "evidence")
    self.evidenceAttachments = try Self.attachments(try row.decode(column: "evidence_attachments"))
    self.sampledForCheck = try row.decode(column: "sampled_for_check")
    self.closeNote = try row.decode(column: "close_note")
    self.residentPersonID = try row.decode(column: "applicant_person_id")
  }

  static func attachments(_ text: String) throws(StoreError) -> [AttachmentRef] {
    do {
      return try JSONDecoder().decode([AttachmentRef].self, from: Data(text.utf8))
    } catch {
      throw StoreError(code: .decoding, serverMessage: "field_events attachments: \(error)")
    }
  }

  static func json(_ attachments: [AttachmentRef]) -> String {
    (try? JSONEncoder().encode(attachments)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
  }
}

/// An event's row as the report writes it.
public struct NewFieldEvent: Sendable {
  public var caseID: Int64
  public var category: FieldEventCategory
  public var urgent: Bool
  public var gridID: Int64
  public var gridPath: String
  public var address: String
  public var point: GeoPoint?
  public var description: String
  public var attachments: [AttachmentRef]
  public var reportedBy: String
  public var reportedAt: Instant

  public init(
    caseID: Int64,
    category: FieldEventCategory,
    urgent: Bool,
    gridID: Int64,
    gridPath: String,
    address: String,
    point: GeoPoint?,
    description: String,
    attachments: [AttachmentRef],
    reportedBy: String,
    reportedAt: Instant
  ) {
    self.caseID = caseID
    self.category = category
    self.urgent = urgent
    self.gridID = gridID
    self.gridPath = gridPath
    self.address = address
    self.point = point
    self.description = description
    self.attachments = attachments
    self.reportedBy = reportedBy
    self.reportedAt = reportedAt
  }
}
