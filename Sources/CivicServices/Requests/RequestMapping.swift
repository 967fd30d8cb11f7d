import CivicDomain
import CivicProtos
import CivicRepositories
import Foundation

/// Requests and routing tables between the domain and protobuf. Personal data is mapped in
/// full; `PersonalDataInterceptor` masks it for roles that may not see it.
enum RequestMapping {
  static func tier(_ tier: RequestTier) -> Civicgrid_V1_RequestTier {
    switch tier {
    case .grid: .grid
    case .community: .community
    case .street: .street
    case .district: .district
    }
  }

  static func tier(_ tier: Civicgrid_V1_RequestTier, field: String) throws(DomainError) -> RequestTier {
    switch tier {
    case .grid: .grid
    case .community: .community
    case .street: .street
    case .district: .district
    default: throw Require.invalid(field, "must be GRID, COMMUNITY, STREET or DISTRICT")
    }
  }

  static func type(_ type: RequestType) -> Civicgrid_V1_RequestType {
    switch type {
    case .complaint: .complaint
    case .help: .help
    case .suggestion: .suggestion
    case .report: .report
    }
  }

  static func type(_ type: Civicgrid_V1_RequestType) throws(DomainError) -> RequestType {
    switch type {
    case .complaint: .complaint
    case .help: .help
    case .suggestion: .suggestion
    case .report: .report
    default: throw Require.invalid("type", "must be COMPLAINT, HELP, SUGGESTION or REPORT")
    }
  }

  static func channel(_ channel: RequestChannel) -> Civicgrid_V1_RequestChannel {
    switch channel {
    case .hotline: .hotline
    case .online: .online
    case .mobile: .mobile
    case .gridWorker: .gridWorker
    case .window: .window
    }
  }

  static func channel(_ channel: Civicgrid_V1_RequestChannel) throws(DomainError) -> RequestChannel {
    switch channel {
    case .hotline: .hotline
    case .online: .online
    case .mobile: .mobile
    case .gridWorker: .gridWorker
    case .window: .window
    default: throw Require.invalid("channel", "must be HOTLINE, ONLINE, MOBILE, GRID_WORKER or WINDOW")
    }
  }

  static func step(_ step: RequestLadder.Step) -> Civicgrid_V1_TierStep {
    var m = Civicgrid_V1_TierStep()
    m.tier = self.tier(step.tier)
    m.unitCode = step.unit.rawValue
    m.workingDays = Int32(step.workingDays)
    return m
  }

  // MARK: Routing table

  static func route(_ route: RoutingTable.Route) -> Civicgrid_V1_RoutingRoute {
    var m = Civicgrid_V1_RoutingRoute()
    m.category = route.category
    m.name = route.name
    m.lowestTier = self.tier(route.lowestTier)
    m.workingDays = RequestTier.allCases.compactMap { route.workingDays[$0] }.map(Int32.init)
    m.departmentCode = route.department
    m.accessItemCode = route.accessItemCode ?? ""
    return m
  }

  /// A route as sent: working days are listed lowest tier first, one per tier from its lowest up.
  static func route(_ m: Civicgrid_V1_RoutingRoute, index: Int) throws(DomainError) -> RoutingTable.Route {
    let field = "routes[\(index)]"
    let lowest = try self.tier(m.lowestTier, field: "\(field).lowest_tier")
    let tiers = RequestTier.allCases.filter { $0 >= lowest }
    guard m.workingDays.count == tiers.count else {
      throw Require.invalid(
        "\(field).working_days",
        "needs one limit per tier from \(lowest.rawValue) up (\(tiers.map(\.rawValue).joined(separator: ", "))), got \(m.workingDays.count)"
      )
    }
    return RoutingTable.Route(
      category: m.category,
      name: m.name,
      lowestTier: lowest,
      workingDays: Dictionary(uniqueKeysWithValues: zip(tiers, m.workingDays.map(Int.init))),
      department: m.departmentCode,
      accessItemCode: m.accessItemCode.isEmpty ? nil : try Validation.code(m.accessItemCode, field: "\(field).access_item_code")
    )
  }

  static func table(_ stored: RoutingTableRepository.Version?, history: [Int]) -> Civicgrid_V1_RoutingTable {
    var m = Civicgrid_V1_RoutingTable()
    guard let stored else { return m }
    m.version = Int32(stored.version)
    m.routes = stored.document.routes.map(self.route)
    m.createdBy = stored.createdBy
    m.createdAt = stored.createdAt.timestamp
    m.history = history.map(Int32.init)
    return m
  }

  // MARK: Requests

  /// A request: its case (with `timeline` for GetRequest) and its side row.
  static func message(
    _ record: CaseRecord,
    _ request: CitizenRequestRecord,
    calendar: WorkingCalendar,
    at now: Instant,
    timeline: [Civicgrid_V1_TimelineEntry] = []
  ) throws -> Civicgrid_V1_CitizenRequest {
    let value = record.value
    var m = Civicgrid_V1_CitizenRequest()
    m.id = record.number
    m.case = try CaseMapping.message(record, calendar: calendar, at: now, timeline: timeline)
    m.type = self.type(request.type)
    m.category = request.category
    m.categoryName = request.categoryName
    m.channel = self.channel(request.channel)
    m.citizen.name = value.applicant
    m.citizen.idNumber = record.applicantIDNumber
    m.citizen.phone = record.applicantPhone
    m.citizen.personID = request.applicantPersonID ?? 0
    m.description_p = request.description
    m.receivedBy = request.receivedBy
    m.routingVersion = Int32(request.routingVersion)
    let stages = value.plan?.stages ?? []
    m.tiers = zip(request.tiers, stages).map { tier, stage in
      self.step(RequestLadder.Step(tier: tier, unit: stage.units.first ?? "", workingDays: stage.limit.amount))
    }
    m.currentTier = Int32(value.currentStage ?? 0)
    m.reply = value.tasks.last(where: { $0.state == .approved })?.opinion ?? ""
    if let visitedAt = request.visitedAt {
      m.visited = true
      m.visitSatisfied = request.visitSatisfied ?? false
      m.visitNote = request.visitNote
      m.visitedAt = visitedAt.timestamp
    }
    return m
  }
}
