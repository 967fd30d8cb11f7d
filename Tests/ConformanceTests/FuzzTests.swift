import CivicProtos
import CivicServer
import CivicTestSupport
import CivicWire
import CivicWireProtos
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The server must survive arbitrary bytes: random streams, and valid sessions with
/// mutated bytes, each on a fresh connection; afterwards it still answers a normal call.
@Suite("Fuzzing the CivicWire listener", .serialized, .timeLimit(.minutes(10)))
struct FuzzTests {
  static let connections = 10_000

  /// A valid session (preface, SETTINGS, a unary call, a ping) to mutate.
  static let validSession: [UInt8] = {
    var buffer = ByteBuffer()
    FrameEncoder.writePreface(into: &buffer)
    FrameEncoder.write(.settings, streamID: 0, message: Civicgrid_Wire_V1_Settings(), into: &buffer)
    var headers = Civicgrid_Wire_V1_Headers()
    headers.method = "/civicgrid.v1.Diagnostics/UnaryCall"
    headers.timeoutMicros = 1_000_000
    FrameEncoder.write(.headers, streamID: 1, message: headers, into: &buffer)
    var request = Civicgrid_V1_SimpleRequest()
    request.responseSize = 8
    FrameEncoder.write(.message, streamID: 1, message: request, into: &buffer)
    FrameEncoder.write(.halfClose, streamID: 1, into: &buffer)
    var ping = Civicgrid_Wire_V1_Ping()
    ping.opaque = 42
    FrameEncoder.write(.ping, streamID: 0, message: ping, into: &buffer)
    return Array(buffer.readableBytesView)
  }()

  /// Deterministic so a failure can be replayed.
  struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      self.state &+= 0x9E37_79B9_7F4A_7C15
      var z = self.state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static func input(_ index: Int, _ random: inout SplitMix64) -> [UInt8] {
    switch index % 4 {
    case 0:
      // Pure noise.
      return (0..<Int.random(in: 1...512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
    case 1:
      // A valid preface followed by noise: frame headers with wild lengths and types.
      return Preface.bytes + (0..<Int.random(in: 1...256, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
    default:
      // A valid session with a few bytes flipped, inserted or cut.
      var bytes = Self.validSession
      for _ in 0..<Int.random(in: 1...4, using: &random) {
        let position = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0: bytes[position] = UInt8.random(in: 0...255, using: &random)
        case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
        default: bytes = Array(bytes.prefix(position))
        }
        if bytes.isEmpty { bytes = [0] }
      }
      return bytes
    }
  }

  /// Where inputs that once broke the server are kept, replayed on every run (hex text, one
  /// input per file; whitespace ignored). Copy a file a failed run wrote here to keep it.
  static let corpusDirectory = Binaries.packageRoot.appendingPathComponent("Tests/FuzzCorpus")

  static var corpus: [String] {
    get throws {
      try FileManager.default.contentsOfDirectory(atPath: Self.corpusDirectory.path).filter { $0.hasSuffix(".hex") }.sorted()
    }
  }

  static func corpusInput(_ name: String) throws -> [UInt8] {
    let text = try String(contentsOf: Self.corpusDirectory.appendingPathComponent(name), encoding: .utf8)
    let digits = Array(text.filter { $0.isHexDigit })
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
  }

  /// The recent inputs of one worker, written out when a run fails so it can be replayed.
  struct Recent {
    var inputs: [(index: Int, bytes: [UInt8])] = []
    mutating func add(_ index: Int, _ bytes: [UInt8]) {
      if self.inputs.count == 64 { self.inputs.removeFirst() }
      self.inputs.append((index, bytes))
    }
  }

  /// Writes `inputs` as corpus files into a fresh temporary folder and returns its path.
  static func record(_ inputs: [(name: String, bytes: [UInt8])]) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("civicwire-fuzz-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for input in inputs {
      let hex = input.bytes.map { String(format: "%02x", $0) }.joined()
      try? (hex + "\n").write(to: folder.appendingPathComponent("\(input.name).hex"), atomically: true, encoding: .utf8)
    }
    return folder.path
  }

  /// After the inputs: civicgridd still runs, answers a normal call, and has no CivicWire
  /// connection or stream left open (every fuzzing connection was closed by its client).
  static func expectServerUnharmed(_ server: Process, _ ports: CivicGridServer.BoundPorts) async throws -> Bool {
    guard server.isRunning else {
      Issue.record("civicgridd exited (status \(server.terminationStatus))")
      return false
    }
    let answered = try await TransportKind.civicWire.withClients(ports) { clients in
      var request = Civicgrid_V1_SimpleRequest()
      request.responseSize = 16
      let response = try await clients.diagnostics.unaryCall(request)
      #expect(response.payload.body.count == 16)
      return response.payload.body.count == 16
    }
    ExecutableTests.expectNothingOpen(metricsPort: ports.metrics)
    return answered && server.isRunning
  }

  @Test("10,000 random or mutated byte streams, then a normal call still works and nothing is left open")
  func survivesGarbage() async throws {
    // civicgridd as a child process: its metrics show what stays open, and a crash is seen
    // as its exit instead of taking the test runner down.
    let (server, ports) = try ExecutableTests.startServer()
    defer { if server.isRunning { server.terminate() } }
    // The sockets block, so the workers run on their own threads: blocking the
    // cooperative pool would starve the client below.
    let workers = 4
    let threads = NIOThreadPool(numberOfThreads: workers)
    threads.start()
    let recent = try await withThrowingTaskGroup(of: (Int, Recent).self) { group in
      for worker in 0..<workers {
        group.addTask {
          try await threads.runIfActive {
            var random = SplitMix64(state: UInt64(worker) &* 7919)
            var recent = Recent()
            for index in stride(from: worker, to: Self.connections, by: workers) {
              let input = Self.input(index, &random)
              recent.add(index, input)
              let socket = try RawSocket(port: ports.wire, receiveTimeoutMillis: 50)
              socket.send(input)
              // Read a little of the answer now and then, so the server's writes are exercised too.
              if index % 16 == 0 { _ = socket.receive() }
            }
            return (worker, recent)
          }
        }
      }
      return try await group.reduce(into: [(Int, Recent)]()) { $0.append($1) }
    }
    try await threads.shutdownGracefully()
    if try await !Self.expectServerUnharmed(server, ports) {
      // Inputs are a pure function of (worker, index): the last ones each worker sent are
      // the suspects. Written as corpus files, the next run replays them first.
      let suspects = recent.flatMap { worker, recent in recent.inputs.map { (name: "w\(worker)-i\($0.index)", bytes: $0.bytes) } }
      let folder = Self.record(suspects)
      Issue.record("the last inputs of each worker are in \(folder); copy the one that breaks the server into Tests/FuzzCorpus/")
    }
  }

  @Test("inputs kept in Tests/FuzzCorpus leave the server answering with nothing open", arguments: try FuzzTests.corpus)
  func corpusReplay(name: String) async throws {
    let input = try Self.corpusInput(name)
    try #require(!input.isEmpty, "\(name) holds no hex bytes")
    let (server, ports) = try ExecutableTests.startServer()
    defer { if server.isRunning { server.terminate() } }
    do {
      let socket = try RawSocket(port: ports.wire, receiveTimeoutMillis: 200)
      socket.send(input)
      _ = socket.receiveAll()
    }
    _ = try await Self.expectServerUnharmed(server, ports)
  }
}
