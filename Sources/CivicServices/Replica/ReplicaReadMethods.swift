/// The RPCs a streaming replica may serve (docs/SCALING.md, "Reads from a replica"): the one
/// place a method is declared read-only. Any method not listed runs on the primary, so a new
/// RPC cannot reach the replica by accident.
///
/// A method belongs here only when its handler writes nothing, takes no lock and audits
/// nothing, whatever the caller sends: an unmasked person read (GetPerson, GetHousehold,
/// ListCorrections) writes an audit entry and stays on the primary, and so do the audit
/// trail's own reads and the streaming feeds (LISTEN needs the primary). A handler that
/// wrote anyway would fail on the hot standby (SQLSTATE 25006) rather than write elsewhere.
/// Each listed method's handler was read for writes when it was added here; a test checks
/// that every entry names a real unary method of a database service.
public enum ReplicaReadMethods {
  public static let all: Set<String> = [
    "civicgrid.v1.Directory/GetUnit",
    "civicgrid.v1.Directory/ListUnits",
    "civicgrid.v1.Calendar/GetCalendar",
    "civicgrid.v1.Calendar/ComputeDeadline",
    "civicgrid.v1.Catalog/GetItem",
    "civicgrid.v1.Catalog/ListItems",
    "civicgrid.v1.Cases/GetCase",
    "civicgrid.v1.Cases/ListCases",
    "civicgrid.v1.Cases/ListTasks",
    "civicgrid.v1.Appointments/GetAppointment",
    "civicgrid.v1.Appointments/ListSlots",
    "civicgrid.v1.Evaluation/GetAssessment",
    "civicgrid.v1.Evaluation/GetMetrics",
    "civicgrid.v1.Evaluation/GetReport",
    "civicgrid.v1.Evaluation/GetTargets",
    "civicgrid.v1.Supervision/GetOrder",
    "civicgrid.v1.Supervision/ListOrders",
    "civicgrid.v1.Disputes/GetAgenda",
    "civicgrid.v1.Disputes/GetDispute",
    "civicgrid.v1.Disputes/GetDisputeReport",
    "civicgrid.v1.Disputes/GetLadder",
    "civicgrid.v1.Disputes/ListDisputes",
    "civicgrid.v1.Requests/GetRequest",
    "civicgrid.v1.Requests/GetRoutingTable",
    "civicgrid.v1.Requests/ListRequests",
    "civicgrid.v1.FieldEvents/GetEvent",
    "civicgrid.v1.FieldEvents/GetEventRouting",
    "civicgrid.v1.FieldEvents/ListEvents",
    "civicgrid.v1.Grids/GetGridCard",
    "civicgrid.v1.Grids/GetGridStats",
    // Masked: no ID number or sensitive field is shown in full, so nothing is audited.
    "civicgrid.v1.People/FindPeople",
    "civicgrid.v1.Contracts/GetContract",
    "civicgrid.v1.Contracts/ListContracts",
  ]
}
