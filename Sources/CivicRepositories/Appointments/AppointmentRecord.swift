import CivicDomain
public import CivicStore

/// One appointment with its slot, offer and centre.
public struct AppointmentRecord: SQLRecord, Hashable {
  public var id: Int64
  public var centreCode: String
  public var centrePath: String
  public var itemCode: String
  public var slotID: Int64
  public var startsAtSeconds: Int
  public var endsAtSeconds: Int
  public var capacity: Int
  public var booked: Int
  public var applicantName: String
  public var applicantIDNumber: String
  public var applicantPhone: String
  /// `AppointmentState`'s raw value.
  public var state: String
  public var caseID: String
  public var cancelReason: String
  /// "login@unit" of the booking account.
  public var bookedBy: String
  /// 0 when the booking account is gone.
  public var bookedByAccountID: Int64
  public var version: Int64
  public var createdAtMicros: Int64
  public var checkedInAtMicros: Int64?

  static let columns: SQLQuery = """
    a.id, c.code AS centre_code, c.path AS centre_path, o.item_code, s.id AS slot_id,
    extract(epoch FROM s.starts_at)::bigint AS starts_at, extract(epoch FROM s.ends_at)::bigint AS ends_at,
    s.capacity, s.booked, a.applicant_name, a.applicant_id_number, a.applicant_phone, a.state, a.case_id,
    a.cancel_reason, a.booked_by, coalesce(a.booked_by_account_id, 0) AS booked_by_account_id, a.version,
    (extract(epoch FROM a.created_at) * 1000000)::bigint AS created_at_micros,
    (extract(epoch FROM a.checked_in_at) * 1000000)::bigint AS checked_in_at_micros
    FROM appointments a JOIN appointment_slots s ON s.id = a.slot_id JOIN appointment_offers o ON o.id = s.offer_id
    JOIN units c ON c.id = o.centre_id
    """

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.centreCode = try row.decode(column: "centre_code")
    self.centrePath = try row.decode(column: "centre_path")
    self.itemCode = try row.decode(column: "item_code")
    self.slotID = try row.decode(column: "slot_id")
    self.startsAtSeconds = try row.decode(column: "starts_at")
    self.endsAtSeconds = try row.decode(column: "ends_at")
    self.capacity = try row.decode(column: "capacity")
    self.booked = try row.decode(column: "booked")
    self.applicantName = try row.decode(column: "applicant_name")
    self.applicantIDNumber = try row.decode(column: "applicant_id_number")
    self.applicantPhone = try row.decode(column: "applicant_phone")
    self.state = try row.decode(column: "state")
    self.caseID = try row.decode(column: "case_id")
    self.cancelReason = try row.decode(column: "cancel_reason")
    self.bookedBy = try row.decode(column: "booked_by")
    self.bookedByAccountID = try row.decode(column: "booked_by_account_id")
    self.version = try row.decode(column: "version")
    self.createdAtMicros = try row.decode(column: "created_at_micros")
    self.checkedInAtMicros = try row.decode(column: "checked_in_at_micros")
  }
}

/// The applicant of an appointment or a home visit, as validated by the service.
public struct ApplicantRecord: Sendable, Hashable {
  public var name: String
  public var idNumber: String
  public var phone: String

  public init(name: String, idNumber: String, phone: String) {
    self.name = name
    self.idNumber = idNumber
    self.phone = phone
  }
}

/// Who asked, under which idempotency key, and the SHA-256 of the rest of the request.
public struct IdempotentRequest: Sendable, Hashable {
  /// What a request meets while another under the same key is still running.
  static let inProgress = DomainError.conflict("idempotency_key: a request with this key is in progress; retry to get its result")

  public var accountID: Int64
  public var key: String?
  public var fingerprint: [UInt8]

  /// The fingerprint to store: only a keyed request can be replayed, so only it keeps one.
  var storedFingerprint: SQLBytes? { self.key == nil ? nil : SQLBytes(self.fingerprint) }

  public init(accountID: Int64, key: String?, fingerprint: [UInt8]) {
    self.accountID = accountID
    self.key = key
    self.fingerprint = fingerprint
  }
}
