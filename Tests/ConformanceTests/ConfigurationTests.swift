import CivicServer
import CivicWireCore
import Foundation
import Testing

@Suite("Server configuration", .timeLimit(.minutes(5)))
struct ConfigurationTests {
  func file(_ json: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("civicgrid-\(UUID().uuidString).json").path
    try json.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test("defaults are the documented ones")
  func defaults() {
    let configuration = ServerConfiguration.defaults
    #expect(configuration.wireListen == ListenAddress(host: "127.0.0.1", port: 7400))
    #expect(configuration.grpcListen == ListenAddress(host: "127.0.0.1", port: 7401))
    #expect(configuration.metricsListen == ListenAddress(host: "127.0.0.1", port: 7402))
    #expect(configuration.maxConcurrentStreams == 100)
    #expect(configuration.maxMessageSize == 4 * 1024 * 1024)
    #expect(configuration.wireCallExecutor == .eventLoop && configuration.wireConfig.callsOnEventLoop)
  }

  @Test("wire_call_executor global runs CivicWire calls on Swift's global executor")
  func callExecutor() throws {
    var configuration = ServerConfiguration.defaults
    try configuration.apply(environment: ["CIVICGRID_WIRE_CALL_EXECUTOR": "global"])
    #expect(configuration.wireCallExecutor == .global && !configuration.wireConfig.callsOnEventLoop)
    try configuration.apply(key: "wire_call_executor", value: "event_loop", source: "test source")
    #expect(configuration.wireConfig.callsOnEventLoop)
  }

  @Test("precedence: file, then environment, then flags")
  func precedence() throws {
    var configuration = ServerConfiguration.defaults
    let path = try self.file(#"{"wire_listen": "127.0.0.1:9000", "grpc_listen": "127.0.0.1:9001", "max_concurrent_streams": 7}"#)
    try configuration.apply(file: path)
    #expect(configuration.wireListen.port == 9000)
    #expect(configuration.maxConcurrentStreams == 7)

    try configuration.apply(environment: ["CIVICGRID_WIRE_LISTEN": "127.0.0.1:9100", "UNRELATED": "x"])
    #expect(configuration.wireListen.port == 9100)
    #expect(configuration.grpcListen.port == 9001)

    try configuration.apply(key: "wire_listen", value: "[::1]:9200", source: "flag --wire-listen")
    #expect(configuration.wireListen == ListenAddress(host: "::1", port: 9200))
    #expect(configuration.wireListen.description == "[::1]:9200")
  }

  @Test(
    "bad values name the setting and their source",
    arguments: [
      ("wire_listen", "nowhere", "wire_listen must be HOST:PORT"),
      ("wire_listen", "127.0.0.1:70000", "wire_listen must be HOST:PORT"),
      ("max_concurrent_streams", "0", "max_concurrent_streams must be an integer in 1...100000"),
      ("log_level", "loud", "log_level must be one of"),
      ("wire_call_executor", "threads", "wire_call_executor must be event_loop or global"),
      ("colour", "blue", "unknown setting 'colour'"),
    ]
  )
  func badValues(key: String, value: String, expected: String) {
    var configuration = ServerConfiguration.defaults
    let error = #expect(throws: ConfigurationError.self) {
      try configuration.apply(key: key, value: value, source: "test source")
    }
    #expect(error?.description.hasPrefix("test source: ") == true)
    #expect(error?.description.contains(expected) == true)
  }

  @Test("a config file that is not a JSON object, or unreadable, is refused")
  func badFiles() throws {
    var configuration = ServerConfiguration.defaults
    let notObject = try self.file("[1, 2]")
    #expect(throws: ConfigurationError.self) { try configuration.apply(file: notObject) }
    #expect(throws: ConfigurationError.self) { try configuration.apply(file: "/nonexistent/civicgrid.json") }
  }

  @Test("a boolean is refused, not read as 1 or 0; numbers and strings are taken", arguments: ["true", "false"])
  func booleansRefused(literal: String) throws {
    var configuration = ServerConfiguration.defaults
    let boolean = try self.file(#"{"max_concurrent_streams": \#(literal)}"#)
    let error = #expect(throws: ConfigurationError.self) { try configuration.apply(file: boolean) }
    #expect(error?.description.contains("max_concurrent_streams must be a string or a number") == true, "\(String(describing: error))")
    #expect(configuration.maxConcurrentStreams == ServerConfiguration.defaults.maxConcurrentStreams)
    try configuration.apply(file: try self.file(#"{"max_concurrent_streams": 7, "idle_timeout_seconds": "9"}"#))
    #expect(configuration.maxConcurrentStreams == 7)
    #expect(configuration.idleTimeoutSeconds == 9)
  }
}
