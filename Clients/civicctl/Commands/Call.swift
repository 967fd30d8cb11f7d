import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

struct Call: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Call any method with JSON in and JSON out.",
    discussion: """
      --data is one JSON request object, or for client-streaming and bidirectional methods \
      a JSON array of request objects. Responses print one JSON object per line. Example:
        civicctl call civicgrid.v1.Diagnostics/UnaryCall --data '{"responseSize": 4}'
      """
  )

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Method as package.Service/Method (see `civicctl methods`).") var method: String
  @Option(help: "Request JSON (default {}).") var data: String = "{}"

  func run() async throws {
    do {
      let entry = try DynamicCall.lookup(self.method)
      let call = DynamicCall(
        entry: entry,
        requests: try DynamicCall.requests(fromJSON: self.data),
        metadata: try ClientFactory.metadata(self.global),
        options: ClientFactory.callOptions(self.global)
      ) { json in
        FileHandle.standardOutput.write(Data((json + "\n").utf8))
      }
      let trailing = try await ClientFactory.run(call, self.global)
      if self.global.json, !trailing.isEmpty {
        var object: [String: String] = [:]
        for (key, value) in trailing {
          switch value {
          case .string(let string): object[key] = string
          case .binary(let bytes): object[key] = Data(bytes).base64EncodedString()
          }
        }
        let data = try JSONSerialization.data(withJSONObject: ["trailers": object], options: [.sortedKeys])
        FileHandle.standardError.write(data + Data("\n".utf8))
      }
    } catch {
      Failure.exit(error)
    }
  }
}
