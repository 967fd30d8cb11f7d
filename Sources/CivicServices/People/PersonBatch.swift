import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore

/// Validates, merges and writes rows of people in the caller's transaction, one report row
/// per input row: the one path of registrations and imports.
struct PersonBatch {
  let principal: Principal
  let provenance: Provenance

  /// Runs `inputs`; a rejected row names its field and reason and writes nothing.
  func run(_ inputs: [Civicgrid_V1_PersonInput], prefix: (Int) -> String, on connection: StoreConnection) async throws -> [ImportRowRecord] {
    var reports: [ImportRowRecord?] = Array(repeating: nil, count: inputs.count)
    var valid: [(row: Int, submission: PersonSubmission)] = []
    for (row, input) in inputs.enumerated() {
      do throws(DomainError) {
        valid.append((row, try PersonInputValidation.submission(input, provenance: self.provenance, prefix: prefix(row))))
      } catch {
        reports[row] = Self.rejected(row, error)
      }
    }
    let codes = Set(valid.compactMap { $0.submission.values[.grid] })
    let grids = try await UnitRepository(connection).idsAndPaths(codes, within: self.principal.scope.sqlRange)
    let people = PersonRepository(connection)
    try await people.lock(valid.map(\.submission.idNumber))
    let existing = try await people.load(idNumbers: valid.map(\.submission.idNumber))
    var known = Set(existing.keys)
    var accepted: [(row: Int, submission: PersonSubmission)] = []
    for entry in valid {
      if let grid = entry.submission.values[.grid], grids[grid] == nil {
        reports[entry.row] = Self.rejected(entry.row, Require.invalid(prefix(entry.row) + "grid_unit_code", "unit \(grid) not found in your scope"))
      } else if !known.contains(entry.submission.idNumber), entry.submission.values[.grid] == nil {
        reports[entry.row] = Self.rejected(entry.row, Require.invalid(prefix(entry.row) + "grid_unit_code", "is required for a new person"))
      } else {
        known.insert(entry.submission.idNumber)
        accepted.append(entry)
      }
    }
    let merge = PersonBatchMerge(accepted.map(\.submission), existing: existing.mapValues(\.state))
    let ids = try await people.write(merge.people, grids: grids, at: self.provenance.collectedAt)
    for (index, entry) in accepted.enumerated() {
      let (outcome, person) = merge.rows[index]
      reports[entry.row] = ImportRowRecord(row: entry.row, outcome: outcome.rawValue, personID: ids[person], field: "", reason: "")
    }
    return reports.map { $0! }
  }

  static func rejected(_ row: Int, _ error: DomainError) -> ImportRowRecord {
    if case .invalidField(let field, let problem) = error {
      return ImportRowRecord(row: row, outcome: "rejected", personID: nil, field: field, reason: problem)
    }
    return ImportRowRecord(row: row, outcome: "rejected", personID: nil, field: "", reason: error.description)
  }
}
