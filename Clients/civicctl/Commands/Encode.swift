import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

struct Encode: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a method's request, given as JSON, as binary protobuf to standard output.",
    discussion: "For civicload: civicctl encode civicgrid.v1.Diagnostics/UnaryCall --data '{\"responseSize\":16}' > req.bin"
  )

  @Argument(help: "Method as package.Service/Method.") var method: String
  @Option(help: "Request JSON (default {}).") var data: String = "{}"

  func run() async throws {
    do {
      let entry = try DynamicCall.lookup(self.method)
      let message = try entry.input.init(jsonString: self.data)
      let bytes: [UInt8] = try message.serializedBytes()
      FileHandle.standardOutput.write(Data(bytes))
    } catch let error as SwiftProtobuf.JSONDecodingError {
      Failure.exit(GRPCCore.RPCError(code: .invalidArgument, message: "--data is not a valid request in JSON: \(error)"))
    } catch {
      Failure.exit(error)
    }
  }
}
