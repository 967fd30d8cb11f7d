import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

struct Describe: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Describe the server's services, methods and messages through server reflection.",
    discussion: """
      With no name, lists the services the server serves. With a service \
      (civicgrid.v1.Cases), its methods and their input and output types; with a method \
      (civicgrid.v1.Cases/SubmitApplication), its signature; with a message or enum \
      (civicgrid.v1.Case), its fields or values. Needs no local protos: the server answers \
      (grpc.reflection.v1). An unknown name exits 5 (NOT_FOUND).
      """
  )

  @OptionGroup var global: GlobalOptions
  @Argument(help: "A service, method or message name; none to list the services.") var name: String?

  /// One question on a reflection stream and its answer.
  private struct Ask: ClientAction {
    let request: Grpc_Reflection_V1_ServerReflectionRequest
    let metadata: Metadata
    let options: CallOptions
    func run<Transport: ClientTransport>(_ client: GRPCClient<Transport>) async throws -> Grpc_Reflection_V1_ServerReflectionResponse {
      let request = self.request
      let answers = try await Grpc_Reflection_V1_ServerReflection.Client(wrapping: client).serverReflectionInfo(
        metadata: self.metadata,
        options: self.options,
        requestProducer: { writer in try await writer.write(request) },
        onResponse: { response in try await response.messages.reduce(into: []) { $0.append($1) } }
      )
      guard let answer = answers.first else { throw RPCError(code: .internalError, message: "the server's reflection sent no answer") }
      if case .errorResponse(let error)? = answer.messageResponse {
        throw RPCError(
          code: RPCError.Code(Status.Code(rawValue: Int(error.errorCode)) ?? .unknown) ?? .unknown,
          message: error.errorMessage
        )
      }
      return answer
    }
  }

  func run() async throws {
    do {
      let endpoint = try self.global.endpoint()
      var request = Grpc_Reflection_V1_ServerReflectionRequest()
      if let name = self.name {
        // "pkg.Service/Method" names the method's symbol "pkg.Service.Method".
        request.fileContainingSymbol = name.replacingOccurrences(of: "/", with: ".")
      } else {
        request.listServices = ""
      }
      let ask = Ask(
        request: request,
        metadata: try ClientFactory.metadata(self.global, token: endpoint.token),
        options: ClientFactory.callOptions(self.global)
      )
      let answer = try await ClientFactory.run(ask, endpoint: endpoint)
      let lines: [String]
      if let name = self.name {
        let files = try answer.fileDescriptorResponse.fileDescriptorProto.map {
          try Google_Protobuf_FileDescriptorProto(serializedBytes: $0)
        }
        guard let described = DescriptorText(files: files).describe(name) else {
          throw RPCError(code: .notFound, message: "'\(name)' is not a service, method, message or enum the server describes")
        }
        lines = described
      } else {
        lines = answer.listServicesResponse.service.map(\.name).sorted()
      }
      FileHandle.standardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
    } catch {
      Failure.exit(error)
    }
  }
}
