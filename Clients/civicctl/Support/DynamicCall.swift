import CivicProtos
import Foundation
import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// Calls any method in `MethodRegistry` with JSON requests and JSON responses, so one
/// code path serves every rpc in Protos/.
struct DynamicCall: ClientAction {
  let entry: MethodRegistry.Entry
  /// One JSON object per request message (one for unary and server streaming).
  let requests: [String]
  let metadata: Metadata
  let options: CallOptions
  /// Receives each response as JSON as it arrives.
  let onResponse: @Sendable (String) -> Void

  func run<Transport: ClientTransport>(_ client: GRPCClient<Transport>) async throws -> Metadata {
    try await self.call(client, self.entry.input, self.entry.output)
  }

  private func call<Transport: ClientTransport, Input: SwiftProtobuf.Message & Sendable, Output: SwiftProtobuf.Message & Sendable>(
    _ client: GRPCClient<Transport>,
    _: Input.Type,
    _: Output.Type
  ) async throws -> Metadata {
    let messages: [Input] = try self.requests.map { json in
      do {
        return try Input(jsonString: json)
      } catch {
        throw RPCError(code: .invalidArgument, message: "--data is not a valid \(Input.protoMessageName) in JSON: \(error)")
      }
    }
    let serializer = ProtobufSerializer<Input>()
    let deserializer = ProtobufDeserializer<Output>()
    let onResponse = self.onResponse
    let print: @Sendable (Output) throws -> Void = { message in
      onResponse(try message.jsonString())
    }

    switch (self.entry.clientStreaming, self.entry.serverStreaming) {
    case (false, false):
      let request = ClientRequest(message: messages.first ?? Input(), metadata: self.metadata)
      return try await client.unary(
        request: request,
        descriptor: self.entry.descriptor,
        serializer: serializer,
        deserializer: deserializer,
        options: self.options
      ) { response in
        try print(try response.message)
        return response.trailingMetadata
      }
    case (false, true):
      let request = ClientRequest(message: messages.first ?? Input(), metadata: self.metadata)
      return try await client.serverStreaming(
        request: request,
        descriptor: self.entry.descriptor,
        serializer: serializer,
        deserializer: deserializer,
        options: self.options
      ) { response in
        var trailing = Metadata()
        for try await part in response.bodyParts {
          switch part {
          case .message(let message): try print(message)
          case .trailingMetadata(let metadata): trailing = metadata
          }
        }
        return trailing
      }
    case (true, false):
      let request = StreamingClientRequest(of: Input.self, metadata: self.metadata) { writer in
        try await writer.write(contentsOf: messages)
      }
      return try await client.clientStreaming(
        request: request,
        descriptor: self.entry.descriptor,
        serializer: serializer,
        deserializer: deserializer,
        options: self.options
      ) { response in
        try print(try response.message)
        return response.trailingMetadata
      }
    case (true, true):
      let request = StreamingClientRequest(of: Input.self, metadata: self.metadata) { writer in
        try await writer.write(contentsOf: messages)
      }
      return try await client.bidirectionalStreaming(
        request: request,
        descriptor: self.entry.descriptor,
        serializer: serializer,
        deserializer: deserializer,
        options: self.options
      ) { response in
        var trailing = Metadata()
        for try await part in response.bodyParts {
          switch part {
          case .message(let message): try print(message)
          case .trailingMetadata(let metadata): trailing = metadata
          }
        }
        return trailing
      }
    }
  }

  /// Finds a method by "package.Service/Method" (a leading "/" is allowed).
  static func lookup(_ name: String) throws -> MethodRegistry.Entry {
    let key = name.hasPrefix("/") ? String(name.dropFirst()) : name
    guard let entry = MethodRegistry.entries[key] else {
      let known = MethodRegistry.entries.keys.sorted().joined(separator: "\n  ")
      throw RPCError(code: .invalidArgument, message: "unknown method '\(name)'; known methods:\n  \(known)")
    }
    return entry
  }

  /// Splits --data into request messages: an object is one request, an array is many.
  static func requests(fromJSON text: String) throws -> [String] {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.hasPrefix("[") else { return [trimmed.isEmpty ? "{}" : trimmed] }
    guard let array = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [Any] else {
      throw RPCError(code: .invalidArgument, message: "--data is not valid JSON")
    }
    return try array.map { element in
      let data = try JSONSerialization.data(withJSONObject: element)
      return String(decoding: data, as: UTF8.self)
    }
  }
}
