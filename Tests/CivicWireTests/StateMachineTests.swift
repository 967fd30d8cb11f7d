import NIOCore
import Testing

@testable import CivicWireCore

@Suite("Stream state machine", .timeLimit(.minutes(1)))
struct StreamStateMachineTests {
  @Test("server side: messages, then HALF_CLOSE, then nothing more from the client")
  func serverLifecycle() {
    var machine = StreamStateMachine(role: .server)
    do { let result = machine.receive(.message); #expect(result == .success(.accepted)) }
    do { let result = machine.receive(.windowUpdate); #expect(result == .success(.accepted)) }
    do { let result = machine.receive(.halfClose); #expect(result == .success(.remoteHalfClosed)) }
    do { let result = machine.receive(.message); #expect(result == .failure(.init(message: "MESSAGE after HALF_CLOSE"))) }
    do { let result = machine.receive(.halfClose); #expect(result == .failure(.init(message: "second HALF_CLOSE"))) }
    do { let result = machine.receive(.cancel); #expect(result == .success(.closed)) }
    #expect(machine.isClosed)
  }

  @Test("server side: HEADERS twice and TRAILERS from the client are violations")
  func serverViolations() {
    var machine = StreamStateMachine(role: .server)
    do { let result = machine.receive(.headers); #expect(result == .failure(.init(message: "second HEADERS from the client"))) }
    do { let result = machine.receive(.trailers); #expect(result == .failure(.init(message: "TRAILERS from the client"))) }
  }

  @Test("client side: one HEADERS before messages, TRAILERS closes")
  func clientLifecycle() {
    var machine = StreamStateMachine(role: .client)
    do { let result = machine.receive(.headers); #expect(result == .success(.accepted)) }
    do { let result = machine.receive(.message); #expect(result == .success(.accepted)) }
    do {
      let result = machine.receive(.headers);
      #expect(result == .failure(.init(message: "HEADERS after HEADERS or MESSAGE from the server")))
    }
    do { let result = machine.receive(.trailers); #expect(result == .success(.closed)) }
    do { let result = machine.receive(.message); #expect(result == .failure(.init(message: "MESSAGE on a closed stream"))) }
  }

  @Test("client side: a server may not HALF_CLOSE")
  func clientHalfClose() {
    var machine = StreamStateMachine(role: .client)
    do { let result = machine.receive(.halfClose); #expect(result == .failure(.init(message: "HALF_CLOSE from the server"))) }
  }
}

@Suite("Connection guards", .timeLimit(.minutes(1)))
struct ConnectionGuardsTests {
  func guards() -> ConnectionGuards {
    ConnectionGuards(minPingInterval: .seconds(1), maxPingStrikes: 2, cancelFloodLimit: 3, cancelFloodWindow: .seconds(10))
  }

  @Test("pings closer than the minimum interval strike; the third strike fails")
  func pingStrikes() {
    var guards = self.guards()
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    do { let result = guards.pingReceived(at: start); #expect(result) }
    do { let result = guards.pingReceived(at: start + .milliseconds(10)); #expect(result) }  // strike 1
    do { let result = guards.pingReceived(at: start + .milliseconds(20)); #expect(result) }  // strike 2
    do { let result = guards.pingReceived(at: start + .milliseconds(30)); #expect(!result) }  // strike 3
  }

  @Test("spaced pings never strike, and a new stream forgives strikes")
  func pingForgiveness() {
    var guards = self.guards()
    var now = NIODeadline.uptimeNanoseconds(1_000_000_000)
    for _ in 0..<10 {
      do { let result = guards.pingReceived(at: now); #expect(result) }
      now = now + .seconds(2)
    }
    do { let result = guards.pingReceived(at: now + .milliseconds(1)); #expect(result) }
    do { let result = guards.pingReceived(at: now + .milliseconds(2)); #expect(result) }
    #expect(guards.pingStrikes == 1)
    guards.streamOpened()
    #expect(guards.pingStrikes == 0)
  }

  @Test("cancels above the limit within the window fail; a new window starts fresh")
  func cancelFlood() {
    var guards = self.guards()
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    for i in 0..<3 { let result = guards.cancelReceived(at: start + .milliseconds(Int64(i))); #expect(result) }
    do { let result = guards.cancelReceived(at: start + .milliseconds(5)); #expect(!result) }
    do { let result = guards.cancelReceived(at: start + .seconds(11)); #expect(result) }
    #expect(guards.cancelsInWindow == 1)
  }
}

@Suite("Backoff and timeouts", .timeLimit(.minutes(1)))
struct BackoffTests {
  @Test("backoff grows by the multiplier up to the maximum, jitter within bounds")
  func growth() {
    let backoff = Backoff(initial: .seconds(1), maximum: .seconds(10), multiplier: 2, jitter: 0.2)
    #expect(backoff.delay(afterFailures: 1, random: 0) == .seconds(1))
    #expect(backoff.delay(afterFailures: 3, random: 0) == .seconds(4))
    #expect(backoff.delay(afterFailures: 20, random: 0) == .seconds(10))
    #expect(backoff.delay(afterFailures: 1, random: 1) == .milliseconds(1200))
    #expect(backoff.delay(afterFailures: 1, random: -1) == .milliseconds(800))
  }

  @Test(
    "gRPC timeout strings become microseconds",
    arguments: [("1H", UInt64(3_600_000_000)), ("2M", 120_000_000), ("3S", 3_000_000), ("250m", 250_000), ("7u", 7), ("5000n", 5)]
  )
  func timeouts(text: String, micros: UInt64) {
    #expect(GRPCTimeout.micros(from: text) == micros)
  }

  @Test("malformed timeout strings are rejected", arguments: ["", "S", "10x", "-1S", "1.5S"])
  func badTimeouts(text: String) {
    #expect(GRPCTimeout.micros(from: text) == nil)
  }
}
