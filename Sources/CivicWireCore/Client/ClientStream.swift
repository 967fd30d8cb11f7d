internal import CivicWireProtos
package import GRPCCore
internal import NIOCore
internal import SwiftProtobuf
import Synchronization

/// Work a client stream sends to its connection's event loop.
enum ClientOutboxEntry: Sendable {
  /// Register the stream and send its HEADERS (enqueued in stream-id order).
  case open(ClientStream, headers: ByteBuffer)
  case frames(streamID: UInt32, head: ByteBuffer, payload: ByteBuffer?)
  /// Send CANCEL with this code unless the stream already ended; forget the stream.
  case cancel(streamID: UInt32, code: Status.Code, message: String)
  case grant(streamID: UInt32, increment: Int)
  case ping(opaque: UInt64, promise: EventLoopPromise<Void>)
}

/// One call on a client connection, shared between the event loop and the calling task.
///
/// Its stream id is assigned when its HEADERS are enqueued, under the connection's
/// lock, so HEADERS reach the wire in increasing id order whatever order the calling
/// tasks run in (docs/PROTOCOL.md, section 3.1).
package final class ClientStream: Sendable {
  let descriptor: MethodDescriptor
  package let inbound: InboundBuffer<RPCResponsePart<WireBytes>>
  let sendWindow: SendWindow
  /// The server's limits, which bound what we send.
  let serverSettings: WireSettings
  private let outbox: Outbox<ClientOutboxEntry>
  /// Hands out stream ids and enqueues HEADERS atomically.
  private let opener: @Sendable (ClientStream, _ payload: ByteBuffer) throws -> Void
  private let assignedID = StreamIDCell()
  private let ended = Atomic<Bool>(false)
  private let halfClosed = Atomic<Bool>(false)

  init(
    descriptor: MethodDescriptor,
    localSettings: WireSettings,
    serverSettings: WireSettings,
    outbox: Outbox<ClientOutboxEntry>,
    opener: @escaping @Sendable (ClientStream, _ payload: ByteBuffer) throws -> Void
  ) {
    self.descriptor = descriptor
    self.opener = opener
    self.serverSettings = serverSettings
    self.outbox = outbox
    self.sendWindow = SendWindow(initial: serverSettings.initialWindowSize)
    self.inbound = InboundBuffer(grantThreshold: localSettings.initialWindowSize / 2) { [outbox, assignedID] increment in
      outbox.enqueue(.grant(streamID: assignedID.value.load(ordering: .acquiring), increment: increment))
    }
  }

  /// The stream id; 0 until the HEADERS are enqueued.
  var id: UInt32 { self.assignedID.value.load(ordering: .acquiring) }

  /// Called by the connection, under its lock, just before enqueuing the HEADERS.
  func assign(id: UInt32) {
    self.assignedID.value.store(id, ordering: .releasing)
  }

  var isEnded: Bool { self.ended.load(ordering: .acquiring) }

  /// Called on the event loop when the stream ends from the server's side or the
  /// connection's (TRAILERS, CANCEL, GOAWAY, close).
  func markEnded(_ error: RPCError?) {
    self.ended.store(true, ordering: .releasing)
    if let error {
      self.inbound.finish(throwing: error)
      self.sendWindow.close(with: error)
    } else {
      self.sendWindow.close(with: RPCError(code: .cancelled, message: "the call already completed"))
    }
  }

  /// Abandons the call: CANCEL to the server unless it already ended.
  package func cancel(_ code: Status.Code = .cancelled, _ message: String = "cancelled by the client") {
    guard !self.ended.exchange(true, ordering: .acquiringAndReleasing) else { return }
    let error = RPCError(code: RPCError.Code(code) ?? .cancelled, message: message)
    self.inbound.finish(throwing: error)
    self.sendWindow.close(with: error)
    // No id yet: the server never heard of this call. `writeHeaders` checks `ended` after
    // enqueuing, so a cancel racing it is still sent.
    let id = self.id
    if id != 0 { self.outbox.enqueue(.cancel(streamID: id, code: code, message: message)) }
  }

  package var writer: RPCWriter<RPCRequestPart<WireBytes>>.Closable {
    RPCWriter.Closable(wrapping: ClientStreamWriter(stream: self))
  }

  // MARK: Writing (called from the calling task)

  fileprivate func writeHeaders(_ metadata: Metadata) throws {
    var headers = Civicgrid_Wire_V1_Headers()
    headers.method = "/\(self.descriptor.service.fullyQualifiedService)/\(self.descriptor.method)"
    if let timeout = metadata[stringValues: "grpc-timeout"].first(where: { _ in true }),
      let micros = GRPCTimeout.micros(from: timeout)
    {
      headers.timeoutMicros = max(1, micros)
    }
    headers.metadata = WireMetadata.encode(metadata)
    let payload = ByteBuffer(bytes: try headers.serializedBytes() as [UInt8])
    guard payload.readableBytes <= self.serverSettings.maxMetadataSize else {
      throw RPCError(
        code: .resourceExhausted,
        message: "request metadata of \(payload.readableBytes) bytes exceeds the server's limit \(self.serverSettings.maxMetadataSize)"
      )
    }
    guard !self.isEnded else { throw RPCError(code: .cancelled, message: "the call has ended") }
    try self.opener(self, payload)
    if self.isEnded {
      self.outbox.enqueue(.cancel(streamID: self.id, code: .cancelled, message: "cancelled by the client"))
    }
  }

  fileprivate func writeMessage(_ bytes: WireBytes) async throws {
    guard !self.isEnded else { throw RPCError(code: .cancelled, message: "the call has ended") }
    let payload = bytes.buffer
    guard payload.readableBytes <= self.serverSettings.maxMessageSize else {
      throw RPCError(
        code: .resourceExhausted,
        message: "request message of \(payload.readableBytes) bytes exceeds the server's limit \(self.serverSettings.maxMessageSize)"
      )
    }
    try await MessageFramer.write(
      payload,
      streamID: self.id,
      maxFrameSize: self.serverSettings.maxFrameSize,
      window: self.sendWindow,
      leading: nil
    ) { head, fragment in
      self.outbox.enqueue(.frames(streamID: self.id, head: head, payload: fragment))
    }
  }

  fileprivate func halfClose() {
    guard !self.isEnded, !self.halfClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
    var head = ByteBuffer()
    FrameEncoder.write(.halfClose, streamID: self.id, into: &head)
    self.outbox.enqueue(.frames(streamID: self.id, head: head, payload: nil))
  }
}

/// A stream id shared with closures created before the stream is fully initialised.
private final class StreamIDCell: Sendable {
  let value = Atomic<UInt32>(0)
}

/// The request writer gRPC's client executor writes through.
private struct ClientStreamWriter: ClosableRPCWriterProtocol {
  typealias Element = RPCRequestPart<WireBytes>
  let stream: ClientStream

  func write(_ element: Element) async throws {
    switch element {
    case .metadata(let metadata):
      try self.stream.writeHeaders(metadata)
    case .message(let bytes):
      try await self.stream.writeMessage(bytes)
    }
  }

  func write(contentsOf elements: some Sequence<Element>) async throws {
    for element in elements { try await self.write(element) }
  }

  func finish() async {
    self.stream.halfClose()
  }

  func finish(throwing error: any Error) async {
    // A request the client refused to send (over the server's message or metadata limit)
    // keeps its status, RESOURCE_EXHAUSTED, as gRPC's other clients report it.
    if let error = error as? RPCError {
      self.stream.cancel(Status.Code(error.code), error.message)
    } else {
      self.stream.cancel(.cancelled, "the client failed while sending: \(error)")
    }
  }
}

/// gRPC's textual timeout ("100m", "5S"), which GRPCCore puts in "grpc-timeout".
package enum GRPCTimeout {
  package static func micros(from text: String) -> UInt64? {
    guard let unit = text.last, let amount = UInt64(text.dropLast()) else { return nil }
    switch unit {
    case "H": return amount.multipliedReportingOverflow(by: 3_600_000_000).partialValue
    case "M": return amount.multipliedReportingOverflow(by: 60_000_000).partialValue
    case "S": return amount.multipliedReportingOverflow(by: 1_000_000).partialValue
    case "m": return amount.multipliedReportingOverflow(by: 1_000).partialValue
    case "u": return amount
    case "n": return amount / 1_000
    default: return nil
    }
  }
}
