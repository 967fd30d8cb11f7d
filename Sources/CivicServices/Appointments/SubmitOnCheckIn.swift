import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import GRPCCore

/// Check-in as a submission: the appointment becomes an application on the APPOINTMENT
/// channel at its centre, in the check-in's own transaction (so both commit or neither),
/// through the same intake as `Cases/SubmitApplication`.
public struct SubmitOnCheckIn: CheckInSubmission {
  public init() {}

  public func submit(
    _ appointment: Civicgrid_V1_Appointment,
    providedMaterials: [String],
    on connection: StoreConnection
  ) async throws -> String {
    let clerk = try RequestContext.principal()
    let idNumber = appointment.applicant.idNumber.uppercased()
    guard !idNumber.isEmpty else {
      throw DomainError.precondition("applicant.id_number", "the appointment has none, and intake needs the applicant's ID number")
    }
    for (index, code) in providedMaterials.enumerated() { _ = try Validation.code(code, field: "provided_materials[\(index)]") }
    let intake = CasesService.Intake(
      itemCode: appointment.itemCode,
      channel: .appointment,
      applicantName: appointment.applicant.name,
      idNumber: idNumber,
      phone: appointment.applicant.phone,
      providedMaterials: providedMaterials,
      unitCode: appointment.centreCode
    )
    let created = try await CasesService.takeIn(intake, by: clerk, on: connection)
    return CaseNumber.format(created.record.id)
  }
}
