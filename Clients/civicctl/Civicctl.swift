import ArgumentParser

@main
struct Civicctl: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "civicctl",
    abstract: "The CivicGrid staff command line.",
    discussion: """
      Every failure prints the gRPC status name and message on standard error and exits \
      with the status code as exit status (1 CANCELLED … 16 UNAUTHENTICATED); usage errors \
      exit 64. `civicctl login` stores the server and a token; every call then carries \
      `authorization: Bearer <token>` (--token or CIVICCTL_TOKEN override it).
      """,
    subcommands: [
      Login.self, Logout.self, WhoAmI.self, UnitCommand.self, AccountCommand.self, AuditCommand.self,
      ItemCommand.self, CalendarCommand.self, CaseCommand.self, TaskCommand.self, EventsCommand.self, SlotCommand.self,
      AppointmentCommand.self, RateCommand.self, RectificationCommand.self, AppealCommand.self, MetricsCommand.self,
      PeriodCommand.self, AssessmentCommand.self, TargetsCommand.self, ReportCommand.self, AlertsCommand.self, OrderCommand.self, NoticeCommand.self, InspectionCommand.self,
      DisputeCommand.self, MeetingCommand.self, DutyCommand.self,
      Health.self, Call.self, Encode.self, Methods.self,
      Describe.self,
      RequestCommand.self,
      FieldEventCommand.self, GridCommand.self, VisitCommand.self,
      PersonCommand.self, HouseholdCommand.self,
      ContractCommand.self, AccessCommand.self,
    ]
  )
}
