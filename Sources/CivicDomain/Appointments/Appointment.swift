/// The life of one appointment: booked, then cancelled or checked in. Check-in is where an
/// appointment becomes a submission (the case engine takes it in with channel APPOINTMENT).
public enum AppointmentState: String, Sendable, Hashable, Codable, CaseIterable {
  case booked = "BOOKED"
  case cancelled = "CANCELLED"
  case checkedIn = "CHECKED_IN"
}

/// The rules of appointment transitions, as pure functions of state and time.
public enum AppointmentRules {
  /// How early before its slot an applicant may check in.
  public static let checkInOpensSeconds = 60 * 60

  /// Cancelling is allowed while booked and before the slot ends.
  public static func cancel(state: AppointmentState, slotEnd: Instant, now: Instant) throws(DomainError) -> AppointmentState {
    guard state == .booked else {
      throw .illegalState(subject: "appointment", state: state.rawValue, action: "cancel", allowed: [AppointmentState.booked.rawValue])
    }
    guard now < slotEnd else { throw .precondition("appointment", "its slot ended at \(slotEnd); it can no longer be cancelled") }
    return .cancelled
  }

  /// Check-in is allowed while booked, from an hour before the slot starts until it ends.
  public static func checkIn(
    state: AppointmentState,
    slotStart: Instant,
    slotEnd: Instant,
    now: Instant
  ) throws(DomainError) -> AppointmentState {
    guard state == .booked else {
      throw .illegalState(subject: "appointment", state: state.rawValue, action: "check in", allowed: [AppointmentState.booked.rawValue])
    }
    guard now >= slotStart.adding(seconds: -Self.checkInOpensSeconds) else {
      throw .precondition("appointment", "check-in opens an hour before the slot starts")
    }
    guard now < slotEnd else { throw .precondition("appointment", "its slot has ended; book a new one") }
    return .checkedIn
  }

  /// Booking needs a slot in the future.
  public static func book(slotStart: Instant, now: Instant) throws(DomainError) {
    guard now < slotStart else { throw .invalidField("starts_at", "the slot has already started") }
  }
}

/// The life of a door-to-door request (上门服务): requested, assigned to a staff member
/// (reassignable), then done or cancelled.
public enum HomeVisitState: String, Sendable, Hashable, Codable, CaseIterable {
  case requested = "REQUESTED"
  case assigned = "ASSIGNED"
  case done = "DONE"
  case cancelled = "CANCELLED"

  public func assign() throws(DomainError) -> HomeVisitState {
    guard self == .requested || self == .assigned else {
      throw .illegalState(
        subject: "home visit",
        state: self.rawValue,
        action: "assign",
        allowed: [Self.requested.rawValue, Self.assigned.rawValue]
      )
    }
    return .assigned
  }
}
