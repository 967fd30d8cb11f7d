import ArgumentParser
import Foundation

/// Options every command that talks to a server takes.
struct GlobalOptions: ParsableArguments {
  @Option(help: "Server address HOST:PORT (env CIVICGRID_SERVER; default 127.0.0.1:7400).")
  var server: String?

  @Option(help: "Transport: wire (CivicWire, port 7400) or http2 (standard gRPC, port 7401).")
  var transport: String = "wire"

  @Option(help: "Call timeout in seconds.")
  var timeout: Double = 10

  @Option(name: .customLong("metadata"), help: "Call metadata KEY=VALUE (repeatable); keys ending -bin take base64.")
  var metadata: [String] = []

  @Flag(help: "Print machine-readable JSON.")
  var json = false

  var address: (host: String, port: Int) {
    get throws {
      let text = self.server ?? ProcessInfo.processInfo.environment["CIVICGRID_SERVER"] ?? "127.0.0.1:7400"
      guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
        (1...65_535).contains(port)
      else {
        throw ValidationError("--server must be HOST:PORT, got '\(text)'")
      }
      var host = String(text[..<colon])
      if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
      return (host, port)
    }
  }

  func validate() throws {
    guard ["wire", "http2"].contains(self.transport) else {
      throw ValidationError("--transport must be wire or http2, got '\(self.transport)'")
    }
    guard self.timeout > 0 else { throw ValidationError("--timeout must be positive") }
    _ = try self.address
    _ = try self.parsedMetadata()
  }

  func parsedMetadata() throws -> [(key: String, value: MetadataValue)] {
    try self.metadata.map { item in
      guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
        throw ValidationError("--metadata must be KEY=VALUE, got '\(item)'")
      }
      let key = item[..<equals].lowercased()
      let value = String(item[item.index(after: equals)...])
      if key.hasSuffix("-bin") {
        guard let data = Data(base64Encoded: value) else {
          throw ValidationError("--metadata \(key) ends in -bin, so its value must be base64")
        }
        return (key, .binary(Array(data)))
      }
      return (key, .string(value))
    }
  }

  enum MetadataValue {
    case string(String)
    case binary([UInt8])
  }
}
