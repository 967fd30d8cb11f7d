import ArgumentParser
import CivicProtos
import Foundation
import SwiftProtobuf

struct Methods: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List every method civicctl can call.")

  func run() async throws {
    for (name, entry) in MethodRegistry.entries.sorted(by: { $0.key < $1.key }) {
      let shape: String
      switch (entry.clientStreaming, entry.serverStreaming) {
      case (false, false): shape = "unary"
      case (false, true): shape = "server-streaming"
      case (true, false): shape = "client-streaming"
      case (true, true): shape = "bidi-streaming"
      }
      print("\(name)  (\(shape); \(entry.input.protoMessageName) -> \(entry.output.protoMessageName))")
    }
  }
}
