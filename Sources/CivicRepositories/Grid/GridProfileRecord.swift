public import CivicDomain
public import CivicStore
public import Foundation

/// A grid's profile (`grid_profiles`) with its unit's code, name and the community and street above it.
public struct GridProfileRecord: Sendable, SQLRecord {
  public var unitID: Int64
  public var gridCode: String
  public var gridName: String
  public var gridPath: String
  public var boundary: String
  public var households: Int
  public var addressPrefixes: [String]
  public var staff: [GridStaff]
  public var version: Int64
  public var updatedBy: String
  public var updatedAt: Date

  static let columns: SQLQuery = """
    p.unit_id, u.code AS grid_code, u.name AS grid_name, u.path AS grid_path, p.boundary, p.households,
    array_to_string(p.address_prefixes, chr(31)) AS address_prefixes, p.staff::text AS staff, p.version, p.updated_by, p.updated_at
    FROM grid_profiles p JOIN units u ON u.id = p.unit_id
    """

  public init(row: Row) throws(StoreError) {
    self.unitID = try row.decode(column: "unit_id")
    self.gridCode = try row.decode(column: "grid_code")
    self.gridName = try row.decode(column: "grid_name")
    self.gridPath = try row.decode(column: "grid_path")
    self.boundary = try row.decode(column: "boundary")
    self.households = try row.decode(column: "households")
    let prefixes = try row.decode(String.self, column: "address_prefixes")
    self.addressPrefixes = prefixes.isEmpty ? [] : prefixes.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
    do {
      self.staff = try JSONDecoder().decode([GridStaff].self, from: Data(try row.decode(String.self, column: "staff").utf8))
    } catch {
      throw StoreError(code: .decoding, serverMessage: "grid_profiles staff: \(error)")
    }
    self.version = try row.decode(column: "version")
    self.updatedBy = try row.decode(column: "updated_by")
    self.updatedAt = try row.decode(column: "updated_at")
  }
}

/// One training record with its unit's code.
public struct TrainingRecordRow: Sendable, SQLRecord {
  public var id: Int64
  public var login: String
  public var unitCode: String
  public var course: String
  public var date: String
  public var hours: Double
  public var recordedBy: String

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.login = try row.decode(column: "login")
    self.unitCode = try row.decode(column: "unit_code")
    self.course = try row.decode(column: "course")
    self.date = try row.decode(column: "taken_on")
    self.hours = try row.decode(column: "hours")
    self.recordedBy = try row.decode(column: "recorded_by")
  }
}
