import GRPCCore
import NIOCore
import Testing

@testable import CivicWireCore

/// The server connection's lifecycle as values: events in, actions out, time passed in.
/// No channel, no event loop, no sockets.
@Suite("Server connection state machine", .timeLimit(.minutes(1)))
struct ServerConnectionStateMachineTests {
  typealias Machine = ServerConnectionStateMachine
  static let drainPing: UInt64 = 0xC0FFEE
  static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

  static func config(_ adjust: (inout CivicWireServerConfig) -> Void = { _ in }) -> CivicWireServerConfig {
    var config = CivicWireServerConfig.defaults
    adjust(&config)
    return config
  }

  /// A machine past the handshake.
  static func active(_ config: CivicWireServerConfig = .defaults) throws -> Machine {
    var machine = Machine(config: config, drainPing: Self.drainPing)
    _ = machine.connectionActive()
    _ = try machine.receivedPreface()
    _ = try machine.receivedSettings()
    return machine
  }

  /// Opens stream `id` the way the handler does.
  static func open(_ machine: inout Machine, _ id: UInt32) throws -> [Machine.Action] {
    let decision = try machine.receivedHeaders(streamID: id, metadataSize: 10)
    try #require(decision == .proceed)
    return machine.streamOpened()
  }

  @Test("handshake: the timer starts, the preface is answered, SETTINGS are acknowledged and the idle timer starts")
  func handshake() throws {
    let config = Self.config()
    var machine = Machine(config: config, drainPing: Self.drainPing)
    #expect(machine.connectionActive() == [.schedule(.handshake, in: config.handshakeTimeout)])
    #expect(machine.phase == .awaitingPreface)
    #expect(try machine.receivedPreface() == [.sendPrefaceAndSettings])
    #expect(machine.phase == .awaitingSettings)
    #expect(
      try machine.receivedSettings() == [.acknowledgeSettings, .cancel(.handshake), .schedule(.idle, in: config.idleTimeout)]
    )
    #expect(machine.phase == .active)
  }

  @Test("a second preface is a PROTOCOL_ERROR")
  func secondPreface() throws {
    var machine = try Self.active()
    #expect(throws: ConnectionError(.protocolError, "unexpected preface")) { try machine.receivedPreface() }
  }

  @Test(
    "the handshake timer closes with HANDSHAKE_TIMEOUT, naming what is missing; our preface goes first when none was sent",
    arguments: [false, true]
  )
  func handshakeTimeout(prefaceReceived: Bool) throws {
    var machine = Machine(config: .defaults, drainPing: Self.drainPing)
    _ = machine.connectionActive()
    if prefaceReceived { _ = try machine.receivedPreface() }
    let message = prefaceReceived ? "no SETTINGS within the handshake timeout" : "no preface within the handshake timeout"
    #expect(
      machine.timerFired(.handshake) == [
        .closeWithError(ConnectionError(.handshakeTimeout, message), lastStreamID: 0, sendPreface: !prefaceReceived)
      ]
    )
    #expect(machine.isClosed)
    #expect(machine.timerFired(.handshake) == [], "a closed connection ignores its timers")
  }

  @Test("the handshake timer does nothing once the handshake is done")
  func handshakeTimerAfterHandshake() throws {
    var machine = try Self.active()
    #expect(machine.timerFired(.handshake) == [])
    #expect(!machine.isClosed)
  }

  @Test("stream ids must be odd and increasing: anything else is a PROTOCOL_ERROR", arguments: [UInt32(2), 3])
  func streamIDs(badID: UInt32) throws {
    var machine = try Self.active()
    _ = try Self.open(&machine, 3)
    #expect(throws: ConnectionError.self) { try machine.receivedHeaders(streamID: badID, metadataSize: 0) }
    #expect(machine.lastStreamID == 3)
  }

  @Test("the first stream cancels the idle timer; the last one to end re-arms it")
  func idleTimerFollowsStreams() throws {
    let config = Self.config()
    var machine = try Self.active(config)
    #expect(try Self.open(&machine, 1) == [.cancel(.idle)])
    #expect(try Self.open(&machine, 3) == [])
    #expect(machine.openStreams == 2)
    #expect(machine.streamClosed() == [])
    #expect(machine.streamClosed() == [.schedule(.idle, in: config.idleTimeout)])
  }

  @Test("metadata above the limit and streams beyond the concurrency limit are refused with RESOURCE_EXHAUSTED")
  func refusals() throws {
    var machine = try Self.active(Self.config { $0.settings.maxConcurrentStreams = 1 })
    #expect(
      try machine.receivedHeaders(streamID: 1, metadataSize: 9000)
        == .refuse(.resourceExhausted, "metadata of 9000 bytes exceeds the limit 8192")
    )
    _ = try Self.open(&machine, 3)
    #expect(try machine.receivedHeaders(streamID: 5, metadataSize: 10) == .refuse(.resourceExhausted, "too many concurrent streams (limit 1)"))
    #expect(machine.openStreams == 1)
  }

  @Test("an idle timer with no open stream announces the drain: GOAWAY and PING, the fallback and grace timers")
  func idleDrain() throws {
    let config = Self.config()
    var machine = try Self.active(config)
    #expect(
      machine.timerFired(.idle) == [
        .announceDrain(reason: "idle", code: .idleTimeout, ping: Self.drainPing),
        .schedule(.drainFallback, in: Machine.drainPingTimeout),
        .schedule(.grace, in: config.gracePeriod),
      ]
    )
    #expect(machine.beginDrain(reason: "server shutting down") == [], "one drain at a time")
  }

  @Test("the ACK of the drain's PING commits it with the last stream id; with no stream open the connection closes")
  func drainCommitsOnAck() throws {
    var machine = try Self.active()
    _ = try Self.open(&machine, 1)
    _ = machine.streamClosed()
    _ = machine.beginDrain(reason: "server shutting down")
    #expect(try machine.receivedPing(opaque: 42, ack: true, now: Self.start) == [], "an ACK of another PING commits nothing")
    #expect(
      try machine.receivedPing(opaque: Self.drainPing, ack: true, now: Self.start) == [
        .cancel(.drainFallback), .commitDrain(lastStreamID: 1, code: .noError), .close,
      ]
    )
    #expect(machine.isClosed)
  }

  @Test("without an ACK the fallback timer commits the drain; open streams finish first, then the connection closes")
  func drainFallbackWaitsForStreams() throws {
    var machine = try Self.active()
    _ = try Self.open(&machine, 1)
    _ = machine.beginDrain(reason: "server shutting down")
    #expect(machine.timerFired(.drainFallback) == [.commitDrain(lastStreamID: 1, code: .noError)])
    #expect(try machine.receivedHeaders(streamID: 3, metadataSize: 10) == .ignore, "past the second GOAWAY new streams are ignored")
    #expect(machine.streamClosed() == [.close])
  }

  @Test("the highest stream id processed counts refused streams, not those ignored after the second GOAWAY; skipped ids are closed")
  func lastStreamIDProcessed() throws {
    var machine = try Self.active(Self.config { $0.settings.maxConcurrentStreams = 1 })
    _ = try Self.open(&machine, 1)
    #expect(try machine.receivedHeaders(streamID: 5, metadataSize: 10) == .refuse(.resourceExhausted, "too many concurrent streams (limit 1)"))
    #expect(machine.lastStreamID == 5, "a refused stream was answered, so it was processed")
    #expect(machine.wasOpened(streamID: 3), "stream 3 was skipped: it counts as closed, not idle")
    #expect(!machine.wasOpened(streamID: 7))
    _ = machine.beginDrain(reason: "server shutting down")
    _ = machine.timerFired(.drainFallback)
    #expect(try machine.receivedHeaders(streamID: 9, metadataSize: 10) == .ignore)
    #expect(machine.lastStreamID == 5, "an ignored stream was not processed")
    #expect(throws: ConnectionError.self) { try machine.receivedHeaders(streamID: 7, metadataSize: 10) }
  }

  @Test("the grace period fails the streams still open and closes")
  func gracePeriod() throws {
    var machine = try Self.active()
    _ = try Self.open(&machine, 1)
    _ = machine.beginDrain(reason: "server shutting down")
    #expect(machine.timerFired(.grace) == [.failOpenStreams, .close])
    #expect(machine.streamClosed() == [], "streams failed by the grace period re-arm nothing")
  }

  @Test("a drain before the handshake completes just closes")
  func drainDuringHandshake() throws {
    var machine = Machine(config: .defaults, drainPing: Self.drainPing)
    _ = machine.connectionActive()
    #expect(machine.beginDrain(reason: "server shutting down") == [.close])
    #expect(machine.beginDrain(reason: "server shutting down") == [])
  }

  @Test("the client's GOAWAY: finish what is open, then close")
  func clientGoAway() throws {
    var machine = try Self.active()
    _ = try Self.open(&machine, 1)
    #expect(machine.receivedGoAway() == [])
    #expect(machine.streamClosed() == [.close])
  }

  @Test("PINGs are acknowledged; closer together than the minimum interval they earn strikes, then ENHANCE_YOUR_CALM")
  func pingStrikes() throws {
    var machine = try Self.active(Self.config { $0.maxPingStrikes = 2 })
    #expect(try machine.receivedPing(opaque: 7, ack: false, now: Self.start) == [.sendPingAck(opaque: 7)])
    // Spaced by the minimum interval: no strike, however many.
    var now = Self.start
    for _ in 0..<5 {
      now = now + .seconds(1)
      _ = try machine.receivedPing(opaque: 7, ack: false, now: now)
    }
    _ = try machine.receivedPing(opaque: 7, ack: false, now: now + .milliseconds(10))
    _ = try machine.receivedPing(opaque: 7, ack: false, now: now + .milliseconds(20))
    #expect(throws: ConnectionError(.enhanceYourCalm, "too many pings")) {
      try machine.receivedPing(opaque: 7, ack: false, now: now + .milliseconds(30))
    }
  }

  @Test("a new stream forgives ping strikes")
  func streamForgivesStrikes() throws {
    var machine = try Self.active(Self.config { $0.maxPingStrikes = 1 })
    _ = try machine.receivedPing(opaque: 1, ack: false, now: Self.start)
    _ = try machine.receivedPing(opaque: 1, ack: false, now: Self.start + .milliseconds(1))
    _ = try Self.open(&machine, 1)
    _ = try machine.receivedPing(opaque: 1, ack: false, now: Self.start + .milliseconds(2))
    #expect(throws: ConnectionError.self) { try machine.receivedPing(opaque: 1, ack: false, now: Self.start + .milliseconds(3)) }
  }

  @Test("CANCELs within the flood window beyond the limit are ENHANCE_YOUR_CALM; a new window starts the count again")
  func cancelFlood() throws {
    var machine = try Self.active(Self.config { $0.cancelFloodLimit = 2 })
    try machine.receivedCancel(now: Self.start)
    try machine.receivedCancel(now: Self.start + .seconds(1))
    try machine.receivedCancel(now: Self.start + .seconds(11))
    try machine.receivedCancel(now: Self.start + .seconds(12))
    #expect(throws: ConnectionError(.enhanceYourCalm, "cancel flood: more than 2 cancels")) {
      try machine.receivedCancel(now: Self.start + .seconds(13))
    }
  }

  @Test("a connection error names the last stream; a second one does nothing")
  func connectionError() throws {
    var machine = try Self.active()
    _ = try Self.open(&machine, 5)
    let error = ConnectionError(.protocolError, "bad")
    #expect(machine.connectionError(error) == [.closeWithError(error, lastStreamID: 5, sendPreface: false)])
    #expect(machine.connectionError(error) == [])
  }

  @Test("an inactive channel cancels all four timers")
  func inactive() throws {
    var machine = try Self.active()
    #expect(machine.channelInactive() == [.cancel(.handshake), .cancel(.idle), .cancel(.drainFallback), .cancel(.grace)])
    #expect(machine.isClosed)
  }
}
