public import CivicDomain
public import CivicStore
public import Foundation

/// What only a request has, beside its case (`citizen_requests`).
public struct CitizenRequestRecord: Sendable, SQLRecord {
  public var caseID: Int64
  public var type: RequestType
  public var category: String
  public var categoryName: String
  public var channel: RequestChannel
  public var description: String
  /// 首接负责: the login of the account that took it in.
  public var receivedBy: String
  public var routingVersion: Int
  /// The tier of each stage of the case's plan, lowest first.
  public var tiers: [RequestTier]
  public var visitSatisfied: Bool?
  public var visitNote: String
  public var visitedAt: Date?
  /// The person the request was taken in for, when intake named one (`case_people`).
  public var applicantPersonID: Int64?

  static let columns: SQLQuery = """
    case_id, request_type, category, category_name, channel, description, received_by, routing_version,
    array_to_string(tiers, ',') AS tiers, visit_satisfied, visit_note, visited_at,
    \(CasePersonRepository.applicant(ofCase: "citizen_requests.case_id")) FROM citizen_requests
    """

  public init(row: Row) throws(StoreError) {
    self.caseID = try row.decode(column: "case_id")
    let type = try row.decode(String.self, column: "request_type")
    let channel = try row.decode(String.self, column: "channel")
    let tiers = try row.decode(String.self, column: "tiers").split(separator: ",").map { RequestTier(rawValue: String($0)) }
    guard let parsedType = RequestType(rawValue: type), let parsedChannel = RequestChannel(rawValue: channel), !tiers.contains(nil) else {
      throw StoreError(code: .decoding, serverMessage: "citizen_requests row has an unknown type, channel or tier")
    }
    self.type = parsedType
    self.channel = parsedChannel
    self.tiers = tiers.compactMap { $0 }
    self.category = try row.decode(column: "category")
    self.categoryName = try row.decode(column: "category_name")
    self.description = try row.decode(column: "description")
    self.receivedBy = try row.decode(column: "received_by")
    self.routingVersion = try row.decode(column: "routing_version")
    self.visitSatisfied = try row.decode(column: "visit_satisfied")
    self.visitNote = try row.decode(column: "visit_note")
    self.visitedAt = try row.decode(column: "visited_at")
    self.applicantPersonID = try row.decode(column: "applicant_person_id")
  }
}

/// A request's row as intake writes it.
public struct NewCitizenRequest: Sendable {
  public var caseID: Int64
  public var type: RequestType
  public var route: RoutingTable.Route
  public var channel: RequestChannel
  public var description: String
  public var receivedBy: String
  public var routingVersion: Int
  public var tiers: [RequestTier]

  public init(
    caseID: Int64,
    type: RequestType,
    route: RoutingTable.Route,
    channel: RequestChannel,
    description: String,
    receivedBy: String,
    routingVersion: Int,
    tiers: [RequestTier]
  ) {
    self.caseID = caseID
    self.type = type
    self.route = route
    self.channel = channel
    self.description = description
    self.receivedBy = receivedBy
    self.routingVersion = routingVersion
    self.tiers = tiers
  }
}
