import CivicProtos
import CivicWire
import GRPCCore

/// Calls any method of the registry with a request given as encoded bytes and returns how it
/// ended: nil for OK, else the status code and message. Every response message is read, so a
/// failure after the headers (a handler's error, a stream's trailers) is seen too.
func rawCall(
  _ entry: MethodRegistry.Entry,
  request: [UInt8],
  token: String?,
  client: GRPCClient<CivicWireClientTransport>,
  timeout: Duration = .seconds(30)
) async -> (code: RPCError.Code, message: String)? {
  var options = CallOptions.defaults
  options.timeout = timeout
  do {
    try await client.bidirectionalStreaming(
      request: StreamingClientRequest(metadata: .bearer(token)) { writer in try await writer.write(request) },
      descriptor: entry.descriptor,
      serializer: RawBytesSerializer(),
      deserializer: ByteCountDeserializer(),
      options: options
    ) { response in
      for try await _ in response.messages {}
    }
    return nil
  } catch let error as RPCError {
    return (error.code, error.message)
  } catch {
    return (.unknown, "\(error)")
  }
}

struct RawBytesSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}
