import CivicDomain
import CivicProtos
import CivicRepositories
import SwiftProtobuf

/// Appointment and visit records as the API shows them.
extension AppointmentsService {
  func message(_ record: AppointmentRecord) -> Civicgrid_V1_Appointment {
    let startsAt = Instant(secondsSinceEpoch: record.startsAtSeconds)
    let endsAt = Instant(secondsSinceEpoch: record.endsAtSeconds)
    let day = self.calendar.localDate(of: startsAt)
    let startOfDay = self.calendar.startOfDay(day).secondsSinceEpoch
    func time(_ instant: Instant) -> String {
      let seconds = instant.secondsSinceEpoch - startOfDay
      return TimeOfDay(hour: seconds / 3600, minute: seconds % 3600 / 60)?.description ?? ""
    }
    return .with {
      $0.id = record.id
      $0.centreCode = record.centreCode
      $0.itemCode = record.itemCode
      $0.slot = .with { slot in
        slot.startsAt = Self.timestamp(startsAt)
        slot.endsAt = Self.timestamp(endsAt)
        slot.date = day.description
        slot.start = time(startsAt)
        slot.end = time(endsAt)
        slot.capacity = Int32(clamping: record.capacity)
        slot.booked = Int32(clamping: record.booked)
      }
      $0.applicant = Self.applicant(name: record.applicantName, idNumber: record.applicantIDNumber, phone: record.applicantPhone)
      $0.state =
        switch AppointmentState(rawValue: record.state) {
        case .booked: .booked
        case .cancelled: .cancelled
        case .checkedIn: .checkedIn
        case nil: .unspecified
        }
      $0.caseID = record.caseID
      $0.cancelReason = record.cancelReason
      $0.bookedBy = record.bookedBy
      $0.version = record.version
      $0.createdAt = Google_Protobuf_Timestamp(micros: record.createdAtMicros)
      if let checkedIn = record.checkedInAtMicros { $0.checkedInAt = Google_Protobuf_Timestamp(micros: checkedIn) }
    }
  }

  static func message(_ record: HomeVisitRecord) -> Civicgrid_V1_HomeVisit {
    .with {
      $0.id = record.id
      $0.unitCode = record.unitCode
      $0.itemCode = record.itemCode
      $0.applicant = Self.applicant(name: record.applicantName, idNumber: record.applicantIDNumber, phone: record.applicantPhone)
      $0.address = record.address
      $0.reason = record.reason
      $0.preferredDate = record.preferredDate
      $0.state =
        switch HomeVisitState(rawValue: record.state) {
        case .requested: .requested
        case .assigned: .assigned
        case .done: .done
        case .cancelled: .cancelled
        case nil: .unspecified
        }
      $0.assignee = record.assignee
      $0.version = record.version
      $0.createdAt = Google_Protobuf_Timestamp(micros: record.createdAtMicros)
      if let assigned = record.assignedAtMicros { $0.assignedAt = Google_Protobuf_Timestamp(micros: assigned) }
      $0.notes = record.notes
      $0.cancelReason = record.cancelReason
      $0.openedCaseID = record.openedCaseID.map(CaseNumber.format) ?? ""
      if let finished = record.finishedAtMicros { $0.finishedAt = Google_Protobuf_Timestamp(micros: finished) }
    }
  }

  static func applicant(name: String, idNumber: String, phone: String) -> Civicgrid_V1_AppointmentApplicant {
    .with {
      $0.name = name
      $0.idNumber = idNumber
      $0.phone = phone
    }
  }
}
