internal import CivicWireProtos
package import GRPCCore
internal import NIOCore
internal import SwiftProtobuf
import Synchronization

import struct Foundation.Data

/// Work a server stream's writer sends to the connection's event loop.
enum ServerOutboxEntry: Sendable {
  /// Frame bytes for an open stream; `payload` follows `head` when present.
  case frames(streamID: UInt32, head: ByteBuffer, payload: ByteBuffer?)
  /// The stream's TRAILERS frame (possibly preceded by its HEADERS): ends the stream.
  case trailers(streamID: UInt32, bytes: ByteBuffer)
  /// Re-open this many bytes of the client's send window.
  case grant(streamID: UInt32, increment: Int)
}

/// One call on a server connection, shared between the event loop and the task that
/// runs the call's handler.
package final class ServerStream: Sendable {
  let id: UInt32
  package let descriptor: MethodDescriptor
  package let inbound: InboundBuffer<RPCRequestPart<WireBytes>>
  let sendWindow: SendWindow
  /// The client's limits, which bound what we send.
  let peerSettings: WireSettings
  package let remotePeer: String
  package let localPeer: String
  fileprivate let outbox: Outbox<ServerOutboxEntry>

  private struct WriterState {
    var pendingHeaders: ByteBuffer?
    var statusWritten = false
    /// Leading metadata the client could not take: the call ends with this instead.
    var refusal: RPCError?
  }

  private struct CancellationState {
    var handle: ServerContext.RPCCancellationHandle?
    var cancelled = false
  }

  private let writerState = Mutex(WriterState())
  private let cancellation = Mutex(CancellationState())
  private let closed = Atomic<Bool>(false)

  init(
    id: UInt32,
    descriptor: MethodDescriptor,
    localSettings: WireSettings,
    peerSettings: WireSettings,
    remotePeer: String,
    localPeer: String,
    outbox: Outbox<ServerOutboxEntry>
  ) {
    self.id = id
    self.descriptor = descriptor
    self.peerSettings = peerSettings
    self.remotePeer = remotePeer
    self.localPeer = localPeer
    self.outbox = outbox
    self.sendWindow = SendWindow(initial: peerSettings.initialWindowSize)
    self.inbound = InboundBuffer(grantThreshold: localSettings.initialWindowSize / 2) { [outbox] increment in
      outbox.enqueue(.grant(streamID: id, increment: increment))
    }
  }

  var isClosed: Bool { self.closed.load(ordering: .acquiring) }

  /// Binds gRPC's cancellation handle for this call; cancels it at once if the stream
  /// already ended.
  package func attach(_ handle: ServerContext.RPCCancellationHandle) {
    let cancelNow = self.cancellation.withLock { state in
      state.handle = handle
      return state.cancelled
    }
    if cancelNow { handle.cancel() }
  }

  /// The stream ended without the handler's TRAILERS (client CANCEL, deadline, broken
  /// connection, shutdown): stop the handler and fail its reads and writes.
  func terminate(_ error: RPCError) {
    self.closed.store(true, ordering: .releasing)
    self.inbound.finish(throwing: error)
    self.sendWindow.close(with: error)
    let handle = self.cancellation.withLock { state in
      state.cancelled = true
      return state.handle
    }
    handle?.cancel()
  }

  /// The handler's TRAILERS went out: no more reads are needed.
  func completed() {
    self.closed.store(true, ordering: .releasing)
    self.inbound.finish()
    self.sendWindow.close(with: RPCError(code: .cancelled, message: "stream already completed"))
  }

  package var writer: RPCWriter<RPCResponsePart<WireBytes>>.Closable {
    RPCWriter.Closable(wrapping: ServerStreamWriter(stream: self))
  }

  // MARK: Writing (called from the handler's task)

  /// The largest HEADERS or TRAILERS payload the client takes: a bigger one breaks its
  /// `max_metadata_size`, or its `max_frame_size` (metadata frames are never split), which
  /// would be a connection error (docs/PROTOCOL.md, section 4).
  var metadataLimit: Int { min(self.peerSettings.maxMetadataSize, self.peerSettings.maxFrameSize) }

  fileprivate func writeLeadingMetadata(_ metadata: Metadata) {
    var headers = Civicgrid_Wire_V1_Headers()
    headers.metadata = WireMetadata.encode(metadata)
    let payload: [UInt8] = (try? headers.serializedBytes()) ?? []
    guard payload.count <= self.metadataLimit else {
      // No HEADERS: the call ends RESOURCE_EXHAUSTED in TRAILERS instead (writeStatus).
      let refusal = RPCError(
        code: .resourceExhausted,
        message: "leading metadata of \(payload.count) bytes exceeds the client's limit \(self.metadataLimit)"
      )
      self.writerState.withLock { $0.refusal = refusal }
      return
    }
    var buffer = ByteBuffer()
    FrameEncoder.write(.headers, streamID: self.id, bytes: payload, into: &buffer)
    if self.descriptor.type?.isResponseStreaming == false {
      // One answer at most: the leading metadata rides with it or the status, one write, not two.
      self.writerState.withLock { $0.pendingHeaders = buffer }
    } else {
      // A stream may wait long for its first message (a feed with nothing new): the client
      // learns at once that the call was admitted. Unknown shapes are treated as streams.
      self.outbox.enqueue(.frames(streamID: self.id, head: buffer, payload: nil))
    }
  }

  fileprivate func writeMessage(_ bytes: WireBytes) async throws {
    guard !self.isClosed else { throw RPCError(code: .cancelled, message: "the stream is closed") }
    let payload = bytes.buffer
    guard payload.readableBytes <= self.peerSettings.maxMessageSize else {
      throw RPCError(
        code: .resourceExhausted,
        message: "response message of \(payload.readableBytes) bytes exceeds the client's limit \(self.peerSettings.maxMessageSize)"
      )
    }
    let (leading, refusal) = self.writerState.withLock { state in
      defer { state.pendingHeaders = nil }
      return (state.pendingHeaders, state.refusal)
    }
    if let refusal { throw refusal }
    try await MessageFramer.write(
      payload,
      streamID: self.id,
      maxFrameSize: self.peerSettings.maxFrameSize,
      window: self.sendWindow,
      leading: leading
    ) { head, fragment in
      self.outbox.enqueue(.frames(streamID: self.id, head: head, payload: fragment))
    }
  }

  fileprivate func writeStatus(_ status: Status, _ metadata: Metadata) {
    if let refusal = self.writerState.withLock({ $0.refusal }) {
      return self.writeTrailers(Status(code: Status.Code(refusal.code), message: refusal.message), [:])
    }
    self.writeTrailers(status, metadata)
  }

  private func writeTrailers(_ status: Status, _ metadata: Metadata) {
    var trailing = metadata
    var trailers = Civicgrid_Wire_V1_Trailers()
    trailers.code = UInt32(status.code.rawValue)
    trailers.message = status.message
    if let details = trailing[binaryValues: WireMetadata.statusDetailsKey].first(where: { _ in true }) {
      trailers.details = .init(details)
      trailing.removeAllValues(forKey: WireMetadata.statusDetailsKey)
    }
    trailers.metadata = WireMetadata.encode(trailing)
    var payload: [UInt8] = (try? trailers.serializedBytes()) ?? []
    if payload.count > self.metadataLimit {
      var refusal = Civicgrid_Wire_V1_Trailers()
      refusal.code = UInt32(Status.Code.internalError.rawValue)
      refusal.message = "trailing metadata of \(payload.count) bytes exceeds the client's limit \(self.metadataLimit)"
      payload = (try? refusal.serializedBytes()) ?? []
    }
    var buffer =
      self.writerState.withLock { state in
        state.statusWritten = true
        defer { state.pendingHeaders = nil }
        return state.pendingHeaders
      } ?? ByteBuffer()
    FrameEncoder.write(.trailers, streamID: self.id, bytes: payload, into: &buffer)
    self.outbox.enqueue(.trailers(streamID: self.id, bytes: buffer))
  }

  fileprivate func finishWriting() {
    let statusWritten = self.writerState.withLock { $0.statusWritten }
    guard !statusWritten else { return }
    self.writeStatus(Status(code: .internalError, message: "handler finished without a status"), [:])
  }
}

/// The response writer gRPC's server executor writes through.
private struct ServerStreamWriter: ClosableRPCWriterProtocol {
  typealias Element = RPCResponsePart<WireBytes>
  let stream: ServerStream

  func write(_ element: Element) async throws {
    switch element {
    case .metadata(let metadata):
      self.stream.writeLeadingMetadata(metadata)
    case .message(let bytes):
      try await self.stream.writeMessage(bytes)
    case .status(let status, let metadata):
      self.stream.writeStatus(status, metadata)
    }
  }

  func write(contentsOf elements: some Sequence<Element>) async throws {
    for element in elements { try await self.write(element) }
  }

  func finish() async {
    self.stream.finishWriting()
  }

  func finish(throwing error: any Error) async {
    self.stream.finishWriting()
  }
}
