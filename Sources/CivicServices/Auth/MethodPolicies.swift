/// The access policy of every method the server knows, gathered from the services.
///
/// A method missing here is refused (PERMISSION_DENIED), and a test fails when any rpc in
/// the generated `MethodRegistry` has no entry, so adding an rpc means deciding who may call it.
public enum MethodPolicies {
  /// Health checks, server reflection, the conformance/load-test service and the service no
  /// server implements carry no data and are open, so probes, load tools and grpcurl need no
  /// token.
  public static let open: [String: MethodPolicy] = [
    "grpc.health.v1.Health/Check": .public,
    "grpc.health.v1.Health/List": .public,
    "grpc.health.v1.Health/Watch": .public,
    "civicgrid.v1.Diagnostics/EmptyCall": .public,
    "civicgrid.v1.Diagnostics/UnaryCall": .public,
    "civicgrid.v1.Diagnostics/StreamingOutputCall": .public,
    "civicgrid.v1.Diagnostics/StreamingInputCall": .public,
    "civicgrid.v1.Diagnostics/FullDuplexCall": .public,
    "civicgrid.v1.Diagnostics/UnimplementedCall": .public,
    "civicgrid.v1.Unimplemented/UnimplementedCall": .public,
    // The shape of the API, which partners hold as protos anyway; no data (docs/SECURITY.md).
    "grpc.reflection.v1.ServerReflection/ServerReflectionInfo": .public,
    "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": .public,
  ]

  public static let all: [String: MethodPolicy] = [
    Self.open,
    DirectoryService.policies,
    AuditService.policies,
    CalendarService.policies,
    CatalogService.policies,
    CasesService.policies,
    AppointmentsService.policies,
    EvaluationService.policies,
    SupervisionService.policies,
    DisputesService.policies,
    RequestsService.policies,
    FieldEventsService.policies,
    GridsService.policies,
    PeopleService.policies,
    AccessListService.policies,
    ContractsService.policies,
  ].reduce(into: [:]) { all, policies in all.merge(policies) { first, _ in first } }
}
