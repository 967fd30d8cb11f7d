import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import GRPCProtobuf

struct Health: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Print the server's serving status (grpc.health.v1).")

  @OptionGroup var global: GlobalOptions
  @Option(help: "Service to ask about; empty means the whole server.") var service: String = ""

  private struct Check: ClientAction {
    let service: String
    let metadata: Metadata
    let options: CallOptions
    func run<Transport: ClientTransport>(_ client: GRPCClient<Transport>) async throws -> Grpc_Health_V1_HealthCheckResponse {
      var request = Grpc_Health_V1_HealthCheckRequest()
      request.service = self.service
      return try await Grpc_Health_V1_Health.Client(wrapping: client).check(request, metadata: self.metadata, options: self.options)
    }
  }

  func run() async throws {
    do {
      let endpoint = try self.global.endpoint()
      let check = Check(
        service: self.service,
        metadata: try ClientFactory.metadata(self.global, token: endpoint.token),
        options: ClientFactory.callOptions(self.global)
      )
      let response = try await ClientFactory.run(check, endpoint: endpoint)
      let name: String
      switch response.status {
      case .serving: name = "SERVING"
      case .notServing: name = "NOT_SERVING"
      case .serviceUnknown: name = "SERVICE_UNKNOWN"
      default: name = "UNKNOWN"
      }
      let line = self.global.json ? "{\"status\":\"\(name)\"}\n" : "\(name)\n"
      FileHandle.standardOutput.write(Data(line.utf8))
      if response.status != .serving { Foundation.exit(3) }
    } catch {
      Failure.exit(error)
    }
  }
}
