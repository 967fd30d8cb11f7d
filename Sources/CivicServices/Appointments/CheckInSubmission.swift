public import CivicProtos
public import CivicStore

/// What check-in hands an appointment to: intake, which makes it a submission on the
/// APPOINTMENT channel and answers the case id.
///
/// Called inside the check-in transaction, on its connection, so the case and the
/// CHECKED_IN state commit together or not at all.
public protocol CheckInSubmission: Sendable {
  /// Submits the checked-in appointment and returns the new case id.
  func submit(
    _ appointment: Civicgrid_V1_Appointment,
    providedMaterials: [String],
    on connection: StoreConnection
  ) async throws -> String
}
