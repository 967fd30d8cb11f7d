import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore

extension CatalogService {
  /// Marks each published version among `items` whose intake is suspended on `day` because a
  /// social organisation it dispatches to holds no contract covering it (docs/CONTRACTS.md,
  /// "When a contract ends"). Computed from the contracts on every read, so it cannot drift
  /// and lifts as soon as a contract covers the item again.
  static func markSuspensions(_ items: inout [Civicgrid_V1_Item], on day: CivilDate, connection: StoreConnection) async throws {
    var published: [String: [String]] = [:]
    for item in items {
      guard let version = item.versions.first(where: { $0.status == .published }) else { continue }
      published[item.code] = version.definition.stages.flatMap(\.unitCodes)
    }
    let suspensions = try await ContractRepository(connection).suspensions(published, on: day)
    guard !suspensions.isEmpty else { return }
    for index in items.indices {
      guard let suspension = suspensions[items[index].code],
        let version = items[index].versions.firstIndex(where: { $0.status == .published })
      else { continue }
      items[index].versions[version].contractSuspension = CatalogMapping.message(suspension)
    }
  }
}
