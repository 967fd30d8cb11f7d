import CivicWireProtos
import GRPCCore
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import CivicWireCore

/// The in-flight admission decision as pure logic, the shared count, and the CivicWire
/// handler refusing on its event loop before a stream (and so a task) exists.
@Suite("In-flight admission", .timeLimit(.minutes(1)))
struct InFlightAdmissionTests {
  @Test("the policy admits below the limit and refuses at it with RESOURCE_EXHAUSTED, a message and retry-after-ms", arguments: [0, 1, 2, 3, 50])
  func policyDecision(inFlight: Int) {
    let policy = InFlightPolicy(limit: 2, retryAfterMillis: 100)
    let decision = policy.decide(inFlight: inFlight)
    if inFlight < 2 {
      #expect(decision == .admit)
    } else {
      let refusal = InFlightRefusal(message: "server busy: 2 calls in flight, the instance's limit", retryAfterMillis: 100)
      #expect(decision == .refuse(refusal))
      #expect(refusal.code == .resourceExhausted)
      #expect(Array(refusal.metadata[stringValues: "retry-after-ms"]) == ["100"])
    }
  }

  @Test("a limit of 0 admits any number of calls; a retry hint below 1 ms is sent as 1", arguments: [0, 1, 10_000])
  func noLimitAndMinimumHint(inFlight: Int) {
    #expect(InFlightPolicy(limit: 0).decide(inFlight: inFlight) == .admit)
    guard case .refuse(let refusal) = InFlightPolicy(limit: 1, retryAfterMillis: 0).decide(inFlight: 1) else {
      Issue.record("a call at the limit was admitted")
      return
    }
    #expect(refusal.retryAfterMillis == 1)
  }

  @Test("the count admits up to the limit, a refusal counts nothing, and a leave frees a place")
  func countEntersAndLeaves() {
    let limit = InFlightLimit(InFlightPolicy(limit: 2))
    #expect(limit.enter() == .admit)
    #expect(limit.enter() == .admit)
    guard case .refuse = limit.enter() else {
      Issue.record("the third call was admitted")
      return
    }
    #expect(limit.current == 2)
    limit.leave()
    #expect(limit.current == 1)
    #expect(limit.enter() == .admit)
    #expect(limit.current == 2)
  }

  @Test("the handler answers HEADERS beyond the limit with TRAILERS RESOURCE_EXHAUSTED and retry-after-ms, opening no stream")
  func handlerRefusesBeforeAStreamExists() throws {
    let limit = InFlightLimit(InFlightPolicy(limit: 2))
    let refused = RefusalCount()
    let peer = try EmbeddedWirePeer(admission: limit, observer: CivicWireServerObserver(callRefused: { _ in refused.value.add(1, ordering: .relaxed) }))
    try peer.handshake()
    try peer.open(1)
    try peer.open(3)
    try peer.open(5)
    let frames = try peer.readFrames()
    #expect(frames.map(\.streamID) == [5])
    let trailers = try EmbeddedWirePeer.decode(Civicgrid_Wire_V1_Trailers.self, try #require(frames.first))
    #expect(frames.first?.type == .trailers)
    #expect(trailers.code == UInt32(Status.Code.resourceExhausted.rawValue))
    #expect(trailers.message == "server busy: 2 calls in flight, the instance's limit")
    #expect(trailers.metadata.map { "\($0.key)=\($0.stringValue)" } == ["retry-after-ms=100"])
    #expect(peer.streams.count == 2)
    #expect(limit.current == 2)
    #expect(refused.value.load(ordering: .relaxed) == 1)
    // Frames the client sends on the refused stream before it sees the TRAILERS are ignored.
    try peer.send(.halfClose, stream: 5)
    #expect(peer.channel.isActive)
  }

  @Test("a stream that ends (cancelled) or whose connection closes gives its place back")
  func placesComeBack() throws {
    let limit = InFlightLimit(InFlightPolicy(limit: 1))
    let peer = try EmbeddedWirePeer(admission: limit)
    try peer.handshake()
    try peer.open(1)
    #expect(limit.current == 1)
    try peer.send(.cancel, stream: 1)
    #expect(limit.current == 0)
    try peer.open(3)
    #expect(try peer.readFrames().isEmpty)
    #expect(peer.streams.count == 2)
    #expect(limit.current == 1)
    try peer.channel.close().wait()
    #expect(limit.current == 0)
  }
}

/// The observer's refusal count, held by reference for the escaping hook.
private final class RefusalCount: Sendable {
  let value = Atomic<Int>(0)
}
