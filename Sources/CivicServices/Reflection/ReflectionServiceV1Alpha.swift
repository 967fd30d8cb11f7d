public import CivicProtos
public import GRPCCore
import SwiftProtobuf

/// `grpc.reflection.v1alpha.ServerReflection`, which many clients (older grpcurl, Postman)
/// still ask first: the same answers as `ReflectionService`.
///
/// v1alpha's messages are v1's field for field, so requests and answers pass between the
/// two as bytes and one implementation serves both.
public struct ReflectionServiceV1Alpha: Grpc_Reflection_V1alpha_ServerReflection.SimpleServiceProtocol {
  private let v1: ReflectionService

  public init(_ v1: ReflectionService) {
    self.v1 = v1
  }

  public func serverReflectionInfo(
    request: RPCAsyncSequence<Grpc_Reflection_V1alpha_ServerReflectionRequest, any Error>,
    response: RPCWriter<Grpc_Reflection_V1alpha_ServerReflectionResponse>,
    context: ServerContext
  ) async throws {
    for try await message in request {
      let question = try ReflectionService.Request(serializedBytes: try message.serializedBytes() as [UInt8])
      let answer: [UInt8] = try self.v1.answer(question).serializedBytes()
      try await response.write(Grpc_Reflection_V1alpha_ServerReflectionResponse(serializedBytes: answer))
    }
  }
}
