import CivicProtos
import CivicServer
import CivicWire
import GRPCCore
import Testing

/// The server keeps to the client's advertised limits for metadata (docs/PROTOCOL.md,
/// section 4): a HEADERS or TRAILERS payload larger than the client's `max_metadata_size`, or
/// than its `max_frame_size` (metadata frames are never split), is never sent. Leading metadata
/// that does not fit ends the call RESOURCE_EXHAUSTED; trailing metadata that does not fit is
/// replaced by INTERNAL; the connection stays usable either way.
@Suite("CivicWire metadata within the client's limits", .timeLimit(.minutes(2)))
struct MetadataLimitTests {
  enum Limit: String, CaseIterable, Sendable {
    case maxMetadataSize = "max_metadata_size"
    case maxFrameSize = "max_frame_size"

    /// Client settings where this limit, 1024 bytes, is the binding one.
    var settings: WireSettings {
      var settings = WireSettings.defaults
      switch self {
      case .maxMetadataSize: settings.maxMetadataSize = 1024
      case .maxFrameSize:
        settings.maxFrameSize = 1024
        settings.maxMetadataSize = 8192
      }
      return settings
    }
  }

  static func withClient(_ limit: Limit, _ body: (Civicgrid_V1_Diagnostics.Client<CivicWireClientTransport>) async throws -> Void) async throws {
    try await TestServer.withRunning { ports, _ in
      var config = CivicWireClientTransport.Config.defaults
      config.settings = limit.settings
      let transport = try CivicWireClientTransport(host: "127.0.0.1", port: ports.wire, config: config)
      try await withGRPCClient(transport: transport) { client in
        try await body(Civicgrid_V1_Diagnostics.Client(wrapping: client))
      }
    }
  }

  @Test("leading metadata over the client's limit ends a unary and a streaming call RESOURCE_EXHAUSTED; the connection carries on", arguments: Limit.allCases)
  func leadingMetadataOverLimit(limit: Limit) async throws {
    try await Self.withClient(limit) { diagnostics in
      var metadata = Metadata()
      metadata.addString(String(repeating: "m", count: 2000), forKey: "x-civic-initial")
      let unary = await #expect(throws: RPCError.self) { _ = try await diagnostics.unaryCall(.init(), metadata: metadata) }
      #expect(unary?.code == .resourceExhausted, "\(String(describing: unary))")
      #expect(unary?.message.contains("leading metadata of") == true && unary?.message.contains("client's limit 1024") == true)

      var request = Civicgrid_V1_StreamingOutputCallRequest()
      var parameters = Civicgrid_V1_ResponseParameters()
      parameters.size = 10
      request.responseParameters = [parameters]
      let streaming = await #expect(throws: RPCError.self) {
        try await diagnostics.streamingOutputCall(request, metadata: metadata) { response in
          for try await _ in response.messages {}
        }
      }
      #expect(streaming?.code == .resourceExhausted, "\(String(describing: streaming))")

      // The same connection still answers.
      _ = try await diagnostics.emptyCall(.init())
    }
  }

  @Test("trailing metadata over the client's limit becomes INTERNAL naming the limit; the connection carries on", arguments: Limit.allCases)
  func trailingMetadataOverLimit(limit: Limit) async throws {
    try await Self.withClient(limit) { diagnostics in
      var metadata = Metadata()
      metadata.addBinary(Array(repeating: 0xAB, count: 2000), forKey: "x-civic-trailing-bin")
      let error = await #expect(throws: RPCError.self) { _ = try await diagnostics.unaryCall(.init(), metadata: metadata) }
      #expect(error?.code == .internalError, "\(String(describing: error))")
      #expect(error?.message.contains("trailing metadata of") == true && error?.message.contains("client's limit 1024") == true)
      _ = try await diagnostics.emptyCall(.init())
    }
  }
}
