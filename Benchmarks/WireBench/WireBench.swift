import CivicProtos
import CivicServices
import CivicWire
import Foundation
import GRPCCore
import GRPCInProcessTransport
import GRPCNIOTransportHTTP2
import Synchronization

/// ops/bench/wire: the same 16-byte unary Diagnostics call at 1, 16 and 128 in flight over
/// CivicWire and gRPC/HTTP/2 against one civicgridd process, and over GRPCCore's
/// in-process transport (zero transport cost), in one run; prints calls/s, p50, p99 and
/// the ratios, plus the server's resident memory idle, with 1,000 idle CivicWire
/// connections, and under load.
@main
struct WireBench {
  static func main() async throws {
    let arguments = CommandLine.arguments
    guard arguments.count >= 3, let wirePort = Int(arguments[1]), let grpcPort = Int(arguments[2]) else {
      print("usage: WireBench WIRE_PORT GRPC_PORT [SERVER_PID] [SECONDS_PER_ROW]")
      exit(64)
    }
    let serverPID = arguments.count > 3 ? Int32(arguments[3]) : nil
    let seconds = arguments.count > 4 ? Double(arguments[4]) ?? 3 : 3
    // WIREBENCH_ONLY=civicwire:128 runs one row (for profiling).
    let only = ProcessInfo.processInfo.environment["WIREBENCH_ONLY"]
    if let only, let separator = only.firstIndex(of: ":"), let concurrency = Int(only[only.index(after: separator)...]) {
      let result = try await Self.measure(CivicWireClientTransport(host: "127.0.0.1", port: wirePort), concurrency, seconds) {}
      print("civicwire \(concurrency): \(Int(result.rate)) calls/s p50 \(result.p50) µs p99 \(result.p99) µs")
      return
    }
    let concurrencies = [1, 16, 128]

    var rows: [(String, Int, Result)] = []
    let loadRSS = Mutex<Int?>(nil)
    for concurrency in concurrencies {
      let wire = try await Self.measure(CivicWireClientTransport(host: "127.0.0.1", port: wirePort), concurrency, seconds) {
        if concurrency == 128, let serverPID { loadRSS.withLock { $0 = Self.residentKiB(serverPID) } }
      }
      rows.append(("civicwire", concurrency, wire))
      let http2 = try await Self.measure(
        HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: grpcPort), transportSecurity: .plaintext),
        concurrency,
        seconds
      ) {}
      rows.append(("http2", concurrency, http2))
      let inProcess = InProcessTransport()
      let server = GRPCServer(transport: inProcess.server, services: [DiagnosticsService()])
      let local = try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask {
          try await server.serve(); return nil
        }
        let result = try await Self.measure(inProcess.client, concurrency, seconds) {}
        server.beginGracefulShutdown()
        for try await _ in group {}
        return result
      }
      rows.append(("in-process", concurrency, local))
    }

    print("| transport | in flight | calls/s | p50 µs | p99 µs |")
    print("|---|---:|---:|---:|---:|")
    for (name, concurrency, result) in rows {
      print("| \(name) | \(concurrency) | \(Int(result.rate)) | \(result.p50) | \(result.p99) |")
    }
    print("")
    print("| in flight | CivicWire / HTTP/2 | CivicWire / in-process |")
    print("|---:|---:|---:|")
    for concurrency in concurrencies {
      let rate = { (name: String) in rows.first { $0.0 == name && $0.1 == concurrency }!.2.rate }
      print(
        "| \(concurrency) | \(String(format: "%.2f", rate("civicwire") / rate("http2")))× | \(String(format: "%.0f", 100 * rate("civicwire") / rate("in-process")))% |"
      )
    }

    if let serverPID {
      let idle = Self.residentKiB(serverPID)
      let sockets = Self.openIdleConnections(port: wirePort, count: 1000)
      try await Task.sleep(for: .seconds(1))
      let withIdle = Self.residentKiB(serverPID)
      print("")
      print("| server resident memory | KiB |")
      print("|---|---:|")
      print("| idle (after the runs above) | \(idle ?? 0) |")
      print("| with 1,000 idle CivicWire connections | \(withIdle ?? 0) (\(((withIdle ?? 0) - (idle ?? 0)) * 1024 / 1000) bytes each) |")
      print("| under 128-in-flight CivicWire load | \(loadRSS.withLock { $0 } ?? 0) |")
      for fd in sockets { close(fd) }
    }
  }

  struct Result {
    var rate: Double
    var p50: Int
    var p99: Int
  }

  /// Runs `concurrency` callers in a closed loop for `seconds` after a one-second warm-up.
  static func measure<Transport: ClientTransport>(
    _ transport: Transport,
    _ concurrency: Int,
    _ seconds: Double,
    midway: @Sendable () -> Void
  ) async throws -> Result {
    try await withGRPCClient(transport: transport) { client in
      let diagnostics = Civicgrid_V1_Diagnostics.Client(wrapping: client)
      var request = Civicgrid_V1_SimpleRequest()
      request.payload.body = Data(repeating: 7, count: 16)
      request.responseSize = 16
      let warmUpEnd = ContinuousClock.now + .seconds(1)
      let end = warmUpEnd + .milliseconds(Int64(seconds * 1000))
      let latencies = try await withThrowingTaskGroup(of: [Int].self) { group in
        for _ in 0..<concurrency {
          group.addTask { [request] in
            var samples: [Int] = []
            samples.reserveCapacity(200_000)
            while true {
              let start = ContinuousClock.now
              if start >= end { break }
              _ = try await diagnostics.unaryCall(request)
              let finished = ContinuousClock.now
              if start >= warmUpEnd {
                let elapsed = finished - start
                samples.append(Int(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000))
              }
            }
            return samples
          }
        }
        try await Task.sleep(until: warmUpEnd + .milliseconds(Int64(seconds * 500)))
        midway()
        var all: [Int] = []
        for try await samples in group { all += samples }
        return all.sorted()
      }
      guard !latencies.isEmpty else { return Result(rate: 0, p50: 0, p99: 0) }
      return Result(
        rate: Double(latencies.count) / seconds,
        p50: latencies[latencies.count / 2],
        p99: latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
      )
    }
  }

  static func residentKiB(_ pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
      return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
    return nil
  }

  /// Opens CivicWire connections that complete the handshake and then stay idle.
  static func openIdleConnections(port: Int, count: Int) -> [Int32] {
    var preface = Preface.bytes
    preface += [0, 0, 0, 0, FrameType.settings.rawValue, 0, 0, 0, 0, 0, 0, 0]  // empty SETTINGS
    var sockets: [Int32] = []
    for _ in 0..<count {
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = in_port_t(UInt16(port).bigEndian)
      address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
      let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
      guard connected == 0 else { close(fd); continue }
      _ = preface.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      sockets.append(fd)
    }
    return sockets
  }
}
