import CivicProtos
import CivicServices
import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// The `requests` fuzz target: arbitrary bytes decoded as one rpc's request message and
/// checked by the rules every request passes before its handler (`BoundaryInterceptor`),
/// exactly as a call does, without the database. Either the request is accepted, or the
/// caller gets a clear refusal: INVALID_ARGUMENT with a message of at most
/// `BoundaryInterceptor.maxErrorMessageBytes`. Anything else traps, which libFuzzer reports.
enum RequestFuzzTarget {
  static func run(_ input: UnsafeRawBufferPointer) {
    let request = RequestFuzzInput(input)
    guard let entry = MethodRegistry.entries[request.method] else { return }
    Self.check(entry.input, Array(request.body), method: request.method)
  }

  private static func check<Request: Message & Sendable>(_ type: Request.Type, _ body: [UInt8], method: String) {
    let request: Request
    do {
      // The call's own deserializer (GRPCProtobuf), so the refusal is the one a client sees.
      request = try ProtobufDeserializer<Request>().deserialize(body)
    } catch {
      Self.requireClearRefusal(error, method: method)
      return
    }
    if let refusal = BoundaryInterceptor.refusal(of: request) {
      Self.requireClearRefusal(refusal, method: method)
      return
    }
    // An accepted request is stored, logged or echoed by handlers: it must encode again.
    do {
      let encoded: [UInt8] = try request.serializedBytes()
      _ = try Request(serializedBytes: encoded)
    } catch {
      fatalError("\(method): an accepted request does not survive re-encoding: \(error)")
    }
  }

  private static func requireClearRefusal(_ error: any Error, method: String) {
    guard let error = error as? RPCError, error.code == .invalidArgument, !error.message.isEmpty,
      error.message.utf8.count <= BoundaryInterceptor.maxErrorMessageBytes
    else {
      fatalError("\(method): a bad request got an unclear refusal: \(error)")
    }
  }
}
