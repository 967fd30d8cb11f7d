#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A blocking loopback TCP socket for tests that must send exactly the bytes they
/// choose (malformed frames, protocol violations, fuzzing).
final class RawSocket {
  private let fd: Int32

  struct SocketError: Error, CustomStringConvertible {
    var description: String
  }

  init(port: Int, receiveTimeoutMillis: Int = 2000) throws {
    self.fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard self.fd >= 0 else { throw SocketError(description: "socket() failed: \(errno)") }
    var timeout = timeval(tv_sec: receiveTimeoutMillis / 1000, tv_usec: (receiveTimeoutMillis % 1000) * 1000)
    setsockopt(self.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var noDelay: Int32 = 1
    setsockopt(self.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(self.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else {
      close(self.fd)
      throw SocketError(description: "connect() failed: \(errno)")
    }
  }

  deinit { close(self.fd) }

  /// Sends all bytes; false if the peer already closed.
  @discardableResult
  func send(_ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if written <= 0 { return false }
      offset += written
    }
    return true
  }

  /// Reads what is available (waiting up to the receive timeout); empty at EOF or timeout.
  func receive(max: Int = 65_536) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: max)
    let count = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, max, 0) }
    return count > 0 ? Array(buffer.prefix(count)) : []
  }

  /// Reads and drops input until the peer closes (true) or the receive timeout passes (false).
  func waitForClose() -> Bool {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
      if count == 0 { return true }
      if count < 0 { return errno == ECONNRESET }
    }
  }

  /// The local port the kernel gave this socket.
  var localPort: Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(self.fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// Reads until the peer closes or the timeout passes.
  func receiveAll() -> [UInt8] {
    var all: [UInt8] = []
    while true {
      let chunk = self.receive()
      if chunk.isEmpty { return all }
      all += chunk
    }
  }
}
