public import CivicProtos
public import CivicStore

/// What check-in hands an appointment to: intake, which makes it a submission on the
/// APPOINTMENT channel and answers the case id.
///
/// Called inside the check-in transaction, on its connection, so the case and the
/// CHECKED_IN state commit together or not at all.
public protocol CheckInSubmission: Sendable {
  /// Submits the checked-in appointment; returns the case id, or "" when nothing was created.
  func submit(
    _ appointment: Civicgrid_V1_Appointment,
    providedMaterials: [String],
    on connection: StoreConnection
  ) async throws -> String
}

/// Records the check-in and creates no case: the submission used until the case engine's
/// intake is wired in (the appointment answers CHECKED_IN with an empty case_id).
public struct RecordCheckInOnly: CheckInSubmission {
  public init() {}

  public func submit(
    _ appointment: Civicgrid_V1_Appointment,
    providedMaterials: [String],
    on connection: StoreConnection
  ) async throws -> String {
    ""
  }
}
