import CivicProtos
import CivicServer
import CivicWire
import NIOCore
import NIOPosix
import Testing

/// The server must survive arbitrary bytes: random streams, and valid sessions with
/// mutated bytes, each on a fresh connection; afterwards it still answers a normal call.
@Suite("Fuzzing the CivicWire listener", .serialized)
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

  @Test("10,000 random or mutated byte streams, then a normal call still works")
  func survivesGarbage() async throws {
    try await TestServer.withRunning { ports, _ in
      // The sockets block, so the workers run on their own threads: blocking the
      // cooperative pool would starve the server's accept loop, which shares it.
      let workers = 4
      let threads = NIOThreadPool(numberOfThreads: workers)
      threads.start()
      try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<workers {
          group.addTask {
            try await threads.runIfActive {
              var random = SplitMix64(state: UInt64(worker) &* 7919)
              for index in stride(from: worker, to: Self.connections, by: workers) {
                let socket = try RawSocket(port: ports.wire, receiveTimeoutMillis: 50)
                socket.send(Self.input(index, &random))
                // Read a little of the answer now and then, so the server's writes are exercised too.
                if index % 16 == 0 { _ = socket.receive() }
              }
            }
          }
        }
        try await group.waitForAll()
      }
      try await threads.shutdownGracefully()
      try await TransportKind.civicWire.withClients(ports) { clients in
        var request = Civicgrid_V1_SimpleRequest()
        request.responseSize = 16
        let response = try await clients.diagnostics.unaryCall(request)
        #expect(response.payload.body.count == 16)
      }
    }
  }
}
