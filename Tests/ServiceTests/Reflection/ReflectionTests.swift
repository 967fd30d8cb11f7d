import CivicProtos
import CivicServer
import CivicServices
import CivicWire
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Testing

/// The two listeners reflection is asked over.
enum ReflectionTransport: String, CaseIterable, Sendable {
  case civicWire, http2
}

/// Server reflection over both listeners of a server with every database-backed service, as
/// grpcurl would use it: list the services, then fetch each service's file and resolve every
/// method's input and output type through `file_containing_symbol`.
@Suite("Server reflection", .timeLimit(.minutes(5)))
struct ReflectionTests {
  typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
  typealias Response = Grpc_Reflection_V1_ServerReflectionResponse

  /// What the server registers: the database services, Diagnostics, Health and reflection.
  static let served = Set(
    DatabaseServices.names + ["civicgrid.v1.Diagnostics", "grpc.health.v1.Health"] + ReflectionService.names
  )

  @Test(
    "list_services names every served service, and every method's input and output type resolves",
    arguments: ReflectionTransport.allCases
  )
  func listsAndResolvesEverything(transport: ReflectionTransport) async throws {
    try await ServiceHarness.withServer { harness in
      try await Self.withReflection(transport, ports: harness.ports) { ask in
        let listed = try await ask([.with { $0.listServices = "" }])
        let names = Set(try #require(listed.first).listServicesResponse.service.map(\.name))
        #expect(names == Self.served)

        // One stream for every service's file, then one for every distinct message type: what
        // grpcurl does, without a stream per question.
        let services = names.sorted()
        let serviceAnswers = try await ask(services.map { service in .with { $0.fileContainingSymbol = service } })
        try #require(serviceAnswers.count == services.count)
        var types: Set<String> = []
        for (service, answer) in zip(services, serviceAnswers) {
          let pool = try DescriptorPool(answer)
          let methods = try #require(pool.service(service), "\(service) is not in the files answered for it")
          let registered = MethodRegistry.entries.filter { $0.value.descriptor.service.fullyQualifiedService == service }
          #expect(Set(methods.method.map { "\(service)/\($0.name)" }) == Set(registered.keys), "\(service)'s methods")
          for method in methods.method {
            let entry = try #require(MethodRegistry.entries["\(service)/\(method.name)"])
            #expect(method.inputType == "." + entry.input.protoMessageName)
            #expect(method.outputType == "." + entry.output.protoMessageName)
            #expect(method.clientStreaming == entry.clientStreaming && method.serverStreaming == entry.serverStreaming)
            types.formUnion([String(method.inputType.dropFirst()), String(method.outputType.dropFirst())])
          }
        }
        let typeList = types.sorted()
        let typeAnswers = try await ask(typeList.map { type in .with { $0.fileContainingSymbol = type } })
        try #require(typeAnswers.count == typeList.count)
        for (type, answer) in zip(typeList, typeAnswers) {
          #expect(try DescriptorPool(answer).message(type) != nil, "\(type) does not resolve")
        }
      }
    }
  }

  @Test("v1alpha answers as v1 does", arguments: ReflectionTransport.allCases)
  func v1alphaAnswersLikeV1(transport: ReflectionTransport) async throws {
    try await ServiceHarness.withServer { harness in
      try await Self.withClient(transport, ports: harness.ports) { clients in
        let answers = try await clients.v1alpha.serverReflectionInfo(
          requestProducer: { writer in
            try await writer.write(.with { $0.listServices = "" })
            try await writer.write(.with { $0.fileContainingSymbol = "civicgrid.v1.Cases.SubmitApplication" })
          },
          onResponse: { response in try await response.messages.reduce(into: []) { $0.append($1) } }
        )
        try #require(answers.count == 2)
        #expect(Set(answers[0].listServicesResponse.service.map(\.name)) == Self.served)
        let first = try Google_Protobuf_FileDescriptorProto(
          serializedBytes: try #require(answers[1].fileDescriptorResponse.fileDescriptorProto.first)
        )
        #expect(first.name == "civicgrid/v1/cases.proto")
      }
    }
  }

  @Test("files, symbols (nested types and enums too) and extensions; what is unknown answers NOT_FOUND in error_response")
  func lookUps() async throws {
    try await ServiceHarness.withServer { harness in
      try await Self.withReflection(.http2, ports: harness.ports) { ask in
        let answers = try await ask([
          .with { $0.fileByFilename = "civicgrid/v1/cases.proto" },
          .with { $0.fileContainingSymbol = "google.protobuf.DescriptorProto.ExtensionRange" },
          .with { $0.fileContainingSymbol = "google.protobuf.FieldDescriptorProto.Type" },
          .with { $0.fileContainingSymbol = "civicgrid.v1.AppointmentState" },
          .with { $0.allExtensionNumbersOfType = "google.protobuf.FieldOptions" },
          .with {
            $0.fileContainingExtension = .with {
              $0.containingType = "google.protobuf.FieldOptions"; $0.extensionNumber = 50001
            }
          },
          .with { $0.allExtensionNumbersOfType = "civicgrid.v1.Case" },
          .with { $0.fileByFilename = "no/such.proto" },
          .with { $0.fileContainingSymbol = "civicgrid.v1.NoSuchThing" },
          .with {
            $0.fileContainingExtension = .with {
              $0.containingType = "google.protobuf.FieldOptions"; $0.extensionNumber = 1
            }
          },
          .with { $0.allExtensionNumbersOfType = "civicgrid.v1.NoSuchMessage" },
        ])
        try #require(answers.count == 11)

        // The file first, then everything it imports, each once.
        let cases = try DescriptorPool(answers[0])
        #expect(cases.files.first?.name == "civicgrid/v1/cases.proto")
        let names = cases.files.map(\.name)
        #expect(Set(names).count == names.count)
        for file in cases.files { #expect(file.dependency.allSatisfy(names.contains), "\(file.name)'s imports are all there") }

        #expect(try DescriptorPool(answers[1]).files.first?.name == "google/protobuf/descriptor.proto")
        #expect(try DescriptorPool(answers[2]).files.first?.name == "google/protobuf/descriptor.proto")
        #expect(try DescriptorPool(answers[3]).files.first?.name == "civicgrid/v1/appointments.proto")
        #expect(answers[4].allExtensionNumbersResponse.extensionNumber.contains(50001))
        #expect(answers[4].allExtensionNumbersResponse.baseTypeName == "google.protobuf.FieldOptions")
        #expect(try DescriptorPool(answers[5]).files.first?.name == "civicgrid/v1/privacy.proto")
        #expect(answers[6].allExtensionNumbersResponse.extensionNumber.isEmpty)
        for answer in answers[7...] {
          #expect(answer.errorResponse.errorCode == Int32(RPCError.Code.notFound.rawValue), "\(answer.originalRequest)")
          #expect(!answer.errorResponse.errorMessage.isEmpty)
        }
      }
    }
  }

  @Test("civicctl describe lists the services, a service's methods, a method and a message's fields, with no protos of its own")
  func civicctlDescribe() async throws {
    try await ServiceHarness.withServer { harness in
      let civicctl = CivicctlRunner(wirePort: harness.ports.wire)
      defer { civicctl.close() }

      let services = try await civicctl.run(["describe"])
      #expect(services.status == 0, "\(services.stderr)")
      #expect(Set(services.stdout.split(separator: "\n").map(String.init)) == Self.served)

      let cases = try await civicctl.run([
        "describe", "civicgrid.v1.Cases", "--transport", "http2", "--server", "127.0.0.1:\(harness.ports.grpc)",
      ])
      #expect(cases.status == 0, "\(cases.stderr)")
      #expect(cases.stdout.contains("service civicgrid.v1.Cases (civicgrid/v1/cases.proto)"))
      #expect(cases.stdout.contains("  SubmitApplication(civicgrid.v1.SubmitApplicationRequest) returns (civicgrid.v1.Case)"))

      let method = try await civicctl.run(["describe", "civicgrid.v1.Cases/SubmitApplication"])
      #expect(method.stdout == "civicgrid.v1.Cases/SubmitApplication(civicgrid.v1.SubmitApplicationRequest) returns (civicgrid.v1.Case)\n")

      let message = try await civicctl.run(["describe", "civicgrid.v1.SubmitApplicationRequest"])
      #expect(message.status == 0, "\(message.stderr)")
      #expect(message.stdout.hasPrefix("message civicgrid.v1.SubmitApplicationRequest (civicgrid/v1/cases.proto)\n"))
      #expect(message.stdout.contains("  string item_code = 1\n"))
      #expect(message.stdout.contains("  repeated string provided_materials = 4\n"))
      #expect(message.stdout.contains("  civicgrid.v1.Applicant applicant = 3\n"))

      let unknown = try await civicctl.run(["describe", "civicgrid.v1.NoSuchThing"])
      #expect(unknown.status == 5)
      #expect(unknown.stderr.hasPrefix("NOT_FOUND: "))
    }
  }

  // MARK: - Helpers

  /// Runs `body` with a function that sends requests on one reflection stream and returns
  /// the answers, one per request.
  static func withReflection(
    _ transport: ReflectionTransport,
    ports: CivicGridServer.BoundPorts,
    _ body: @Sendable (@Sendable ([Request]) async throws -> [Response]) async throws -> Void
  ) async throws {
    try await Self.withClient(transport, ports: ports) { clients in
      try await body { requests in
        try await clients.v1.serverReflectionInfo(
          requestProducer: { writer in try await writer.write(contentsOf: requests) },
          onResponse: { response in try await response.messages.reduce(into: []) { $0.append($1) } }
        )
      }
    }
  }

  static func withClient(
    _ transport: ReflectionTransport,
    ports: CivicGridServer.BoundPorts,
    _ body: @Sendable (ReflectionClients) async throws -> Void
  ) async throws {
    switch transport {
    case .civicWire:
      let client = try CivicWireClientTransport(host: "127.0.0.1", port: ports.wire)
      try await withGRPCClient(transport: client) { try await body(ReflectionClients($0)) }
    case .http2:
      let client = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: ports.grpc), transportSecurity: .plaintext)
      try await withGRPCClient(transport: client) { try await body(ReflectionClients($0)) }
    }
  }
}

/// Both reflection versions' clients over one connection, erased to their protocols.
struct ReflectionClients: Sendable {
  let v1: any Grpc_Reflection_V1_ServerReflection.ClientProtocol
  let v1alpha: any Grpc_Reflection_V1alpha_ServerReflection.ClientProtocol

  init<Transport: ClientTransport>(_ client: GRPCClient<Transport>) {
    self.v1 = Grpc_Reflection_V1_ServerReflection.Client(wrapping: client)
    self.v1alpha = Grpc_Reflection_V1alpha_ServerReflection.Client(wrapping: client)
  }
}

/// The files of one reflection answer, decoded, with look-ups by full name.
struct DescriptorPool {
  let files: [Google_Protobuf_FileDescriptorProto]

  init(_ answer: Grpc_Reflection_V1_ServerReflectionResponse) throws {
    self.files = try answer.fileDescriptorResponse.fileDescriptorProto.map {
      try Google_Protobuf_FileDescriptorProto(serializedBytes: $0)
    }
  }

  func service(_ name: String) -> Google_Protobuf_ServiceDescriptorProto? {
    for file in self.files {
      for service in file.service where Self.qualified(service.name, in: file.package) == name { return service }
    }
    return nil
  }

  func message(_ name: String) -> Google_Protobuf_DescriptorProto? {
    func find(_ messages: [Google_Protobuf_DescriptorProto], scope: String) -> Google_Protobuf_DescriptorProto? {
      for message in messages {
        let full = Self.qualified(message.name, in: scope)
        if full == name { return message }
        if let nested = find(message.nestedType, scope: full) { return nested }
      }
      return nil
    }
    for file in self.files {
      if let found = find(file.messageType, scope: file.package) { return found }
    }
    return nil
  }

  private static func qualified(_ name: String, in scope: String) -> String {
    scope.isEmpty ? name : "\(scope).\(name)"
  }
}
