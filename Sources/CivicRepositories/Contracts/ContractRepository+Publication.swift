public import CivicDomain
public import CivicStore

extension ContractRepository {
  /// Refuses publishing a catalogue version whose stages dispatch `itemCode` to a social
  /// organisation among `unitCodes` that no contract covers from `day` on
  /// (`ContractCoverage.publication`): such a version could never be dispatched there.
  public func checkPublication(unitCodes: [String], itemCode: String, from day: CivilDate) async throws {
    let candidates = try await self.candidates(unitCodes: unitCodes, itemCode: itemCode)
    for organisation in candidates.keys.sorted() {
      _ = try ContractCoverage.publication(for: itemCode, at: organisation, from: day, among: candidates[organisation] ?? []).get()
    }
  }
}
