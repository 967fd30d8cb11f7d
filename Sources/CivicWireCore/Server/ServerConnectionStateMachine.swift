internal import GRPCCore
internal import NIOCore

/// The lifecycle of one server connection (docs/PROTOCOL.md, sections 5 and 6): handshake,
/// stream ids, the two-phase GOAWAY drain, the abuse guards and four timers (handshake,
/// idle, drain fallback, grace period).
///
/// Pure: it receives events and returns the actions the handler performs; the handler owns
/// the channel, the timers' `Scheduled` handles and the streams. Time comes in as an
/// argument (`now:`), read by the handler from its injected clock.
struct ServerConnectionStateMachine {
  /// The connection's timers; the handler keeps one `Scheduled` per timer.
  enum Timer: Hashable, Sendable, CaseIterable {
    /// The client's preface and SETTINGS must arrive within `handshakeTimeout`.
    case handshake
    /// No open stream for `idleTimeout`: drain.
    case idle
    /// The PING sent with the first GOAWAY gets no ACK: commit the drain anyway.
    case drainFallback
    /// Open streams still running `gracePeriod` after the drain began: fail them, close.
    case grace
  }

  /// What the handler does, in order.
  enum Action: Hashable, Sendable {
    case schedule(Timer, in: TimeAmount)
    case cancel(Timer)
    /// Answer the client's preface: our preface and SETTINGS.
    case sendPrefaceAndSettings
    /// Acknowledge the client's SETTINGS.
    case acknowledgeSettings
    case sendPingAck(opaque: UInt64)
    /// The first GOAWAY (last id 2^31-1) and a PING whose ACK commits the drain; `code` is
    /// NO_ERROR for a shutdown, IDLE_TIMEOUT for an idle connection.
    case announceDrain(reason: String, code: GoAwayCode, ping: UInt64)
    /// The second GOAWAY, with the first one's code: streams above `lastStreamID` were not
    /// processed.
    case commitDrain(lastStreamID: UInt32, code: GoAwayCode)
    /// The grace period is over: every open stream ends with UNAVAILABLE.
    case failOpenStreams
    /// GOAWAY with the error (after our preface if the client never got one), then close.
    case closeWithError(ConnectionError, lastStreamID: UInt32, sendPreface: Bool)
    /// Flush and close the channel.
    case close
  }

  /// What to do with a new stream's HEADERS.
  enum NewStream: Hashable, Sendable {
    /// Open it (the handler may still refuse it for a malformed method or metadata).
    case proceed
    /// Past the second GOAWAY: the client knows it was not processed; drop it silently.
    case ignore
    /// Answer with TRAILERS and do not open it.
    case refuse(Status.Code, String)
  }

  enum Phase: Hashable, Sendable {
    case awaitingPreface
    case awaitingSettings
    case active
    /// After a connection error or a close: input is ignored.
    case closed
  }

  private enum Drain: Hashable {
    case none
    /// First GOAWAY sent with `code`; waiting for the ACK of `ping`.
    case announced(ping: UInt64, code: GoAwayCode)
    /// Second GOAWAY sent (or the client sent GOAWAY); new streams are ignored.
    case committed
  }

  private let config: CivicWireServerConfig
  /// The opaque value of the drain's PING (random per connection, fixed in tests).
  private let drainPing: UInt64
  private(set) var phase = Phase.awaitingPreface
  private var drain = Drain.none
  private var guards: ConnectionGuards
  private var idleArmed = false
  private(set) var openStreams = 0
  /// The highest stream id of any HEADERS received; new ids must exceed it.
  private(set) var highestStreamID: UInt32 = 0
  /// "The highest stream id processed" that GOAWAY carries: the highest HEADERS the
  /// server answered, by opening the stream or refusing it with TRAILERS (not one it
  /// ignored after its second GOAWAY).
  private(set) var lastStreamID: UInt32 = 0

  /// How long the drain waits for the ACK of its PING before committing anyway.
  static let drainPingTimeout = TimeAmount.seconds(1)

  init(config: CivicWireServerConfig, drainPing: UInt64) {
    self.config = config
    self.drainPing = drainPing
    self.guards = ConnectionGuards(
      minPingInterval: config.minPingInterval,
      maxPingStrikes: config.maxPingStrikes,
      cancelFloodLimit: config.cancelFloodLimit,
      cancelFloodWindow: config.cancelFloodWindow
    )
  }

  /// Whether input is still worth decoding.
  var isClosed: Bool { self.phase == .closed }

  // MARK: Handshake

  /// The connection became active: the handshake clock starts.
  func connectionActive() -> [Action] {
    [.schedule(.handshake, in: self.config.handshakeTimeout)]
  }

  /// The client's preface arrived.
  mutating func receivedPreface() throws(ConnectionError) -> [Action] {
    guard self.phase == .awaitingPreface else {
      throw ConnectionError(.protocolError, "unexpected preface")
    }
    self.phase = .awaitingSettings
    return [.sendPrefaceAndSettings]
  }

  /// The client's SETTINGS arrived (parsed and checked by the caller) as the first frame.
  mutating func receivedSettings() throws(ConnectionError) -> [Action] {
    guard self.phase == .awaitingSettings else {
      throw ConnectionError(.protocolError, "SETTINGS may be sent only once")
    }
    self.phase = .active
    return [.acknowledgeSettings, .cancel(.handshake)] + self.armIdle()
  }

  // MARK: Streams

  /// A HEADERS frame from the client opens stream `id`.
  mutating func receivedHeaders(streamID id: UInt32, metadataSize: Int) throws(ConnectionError) -> NewStream {
    guard id % 2 == 1, id > self.highestStreamID else {
      throw ConnectionError(
        .protocolError,
        "HEADERS on stream \(id): client stream ids must be odd and increasing (last \(self.highestStreamID))"
      )
    }
    self.highestStreamID = id
    if self.drain == .committed { return .ignore }
    self.lastStreamID = id
    self.guards.streamOpened()
    let settings = self.config.settings
    guard metadataSize <= settings.maxMetadataSize else {
      return .refuse(.resourceExhausted, "metadata of \(metadataSize) bytes exceeds the limit \(settings.maxMetadataSize)")
    }
    guard self.openStreams < settings.maxConcurrentStreams else {
      return .refuse(.resourceExhausted, "too many concurrent streams (limit \(settings.maxConcurrentStreams))")
    }
    return .proceed
  }

  /// A stream the caller let through `receivedHeaders` is now open.
  mutating func streamOpened() -> [Action] {
    self.openStreams += 1
    guard self.idleArmed else { return [] }
    self.idleArmed = false
    return [.cancel(.idle)]
  }

  /// An open stream ended (completed, failed, cancelled or past its deadline).
  mutating func streamClosed() -> [Action] {
    self.openStreams -= 1
    guard self.openStreams == 0 else { return [] }
    // A drained connection closes; only one that stays open waits for the idle timer.
    return self.closeIfDrained() + self.armIdle()
  }

  /// Whether a stream frame other than HEADERS names a stream id that is no longer idle:
  /// one opened, refused or skipped (a HEADERS on a higher id closes every lower one).
  func wasOpened(streamID id: UInt32) -> Bool {
    id <= self.highestStreamID
  }

  // MARK: Control frames

  /// A PING (or PING ACK) from the client.
  mutating func receivedPing(opaque: UInt64, ack: Bool, now: NIODeadline) throws(ConnectionError) -> [Action] {
    if ack {
      guard case .announced(let ping, _) = self.drain, ping == opaque else { return [] }
      return [.cancel(.drainFallback)] + self.commitDrain()
    }
    guard self.guards.pingReceived(at: now) else {
      throw ConnectionError(.enhanceYourCalm, "too many pings")
    }
    return [.sendPingAck(opaque: opaque)]
  }

  /// A CANCEL from the client for a running stream; only those cost the server work
  /// ("rapid reset").
  mutating func receivedCancel(now: NIODeadline) throws(ConnectionError) {
    guard self.guards.cancelReceived(at: now) else {
      throw ConnectionError(.enhanceYourCalm, "cancel flood: more than \(self.config.cancelFloodLimit) cancels")
    }
  }

  /// The client is leaving: finish what is open, then close.
  mutating func receivedGoAway() -> [Action] {
    self.drain = .committed
    return self.closeIfDrained()
  }

  // MARK: Drain and close

  /// Starts the two-phase GOAWAY (docs/PROTOCOL.md, section 6.1): server shutdown
  /// (NO_ERROR) or idle (IDLE_TIMEOUT).
  mutating func beginDrain(reason: String, code: GoAwayCode = .noError) -> [Action] {
    switch self.phase {
    case .awaitingPreface, .awaitingSettings:
      self.phase = .closed
      return [.close]
    case .closed:
      return []
    case .active:
      guard self.drain == .none else { return [] }
      self.drain = .announced(ping: self.drainPing, code: code)
      return [
        .announceDrain(reason: reason, code: code, ping: self.drainPing),
        .schedule(.drainFallback, in: Self.drainPingTimeout),
        .schedule(.grace, in: self.config.gracePeriod),
      ]
    }
  }

  /// A timer ran out.
  mutating func timerFired(_ timer: Timer) -> [Action] {
    switch timer {
    case .handshake:
      switch self.phase {
      case .awaitingPreface:
        return self.connectionError(ConnectionError(.handshakeTimeout, "no preface within the handshake timeout"))
      case .awaitingSettings:
        return self.connectionError(ConnectionError(.handshakeTimeout, "no SETTINGS within the handshake timeout"))
      case .active, .closed:
        return []
      }
    case .idle:
      self.idleArmed = false
      return self.openStreams == 0 ? self.beginDrain(reason: "idle", code: .idleTimeout) : []
    case .drainFallback:
      return self.commitDrain()
    case .grace:
      guard self.phase != .closed else { return [] }
      self.phase = .closed
      return [.failOpenStreams, .close]
    }
  }

  /// A violation that ends the connection.
  mutating func connectionError(_ error: ConnectionError) -> [Action] {
    guard self.phase != .closed else { return [] }
    let sendPreface = self.phase == .awaitingPreface
    self.phase = .closed
    return [.closeWithError(error, lastStreamID: self.lastStreamID, sendPreface: sendPreface)]
  }

  /// The connection is being closed without a GOAWAY (an HTTP request instead of a preface).
  mutating func closing() {
    self.phase = .closed
  }

  /// The channel went inactive: every timer is cancelled.
  mutating func channelInactive() -> [Action] {
    self.phase = .closed
    self.idleArmed = false
    return Timer.allCases.map { .cancel($0) }
  }

  // MARK: Internal steps

  private mutating func armIdle() -> [Action] {
    guard self.phase == .active, !self.idleArmed else { return [] }
    self.idleArmed = true
    return [.schedule(.idle, in: self.config.idleTimeout)]
  }

  private mutating func commitDrain() -> [Action] {
    guard case .announced(_, let code) = self.drain else { return [] }
    self.drain = .committed
    return [.commitDrain(lastStreamID: self.lastStreamID, code: code)] + self.closeIfDrained()
  }

  private mutating func closeIfDrained() -> [Action] {
    guard self.drain == .committed, self.openStreams == 0, self.phase != .closed else { return [] }
    self.phase = .closed
    return [.close]
  }
}
