public import CivicProtos
public import GRPCCore
import SwiftProtobuf

/// `grpc.reflection.v1.ServerReflection`: the services this server registers and the
/// descriptors of the protos they use, so grpcurl, Postman, Evans or `civicctl describe`
/// can call them without local protos. `ReflectionServiceV1Alpha` answers the same for
/// clients still on `v1alpha`.
///
/// Every file answer carries the file and all the files it imports, directly or not; what
/// is not found gets the standard `error_response` with NOT_FOUND and the stream goes on.
public struct ReflectionService: Grpc_Reflection_V1_ServerReflection.SimpleServiceProtocol {
  public typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
  public typealias Response = Grpc_Reflection_V1_ServerReflectionResponse

  /// The full names of the services served, sorted, as `list_services` answers them.
  public let serviceNames: [String]
  private let index: DescriptorIndex

  /// - Parameters:
  ///   - serviceNames: The services the server registers ("package.Service"), the
  ///     reflection services included.
  ///   - index: The descriptors to serve; by default those the server was built with.
  public init(serviceNames: [String], index: DescriptorIndex) {
    self.serviceNames = Array(Set(serviceNames)).sorted()
    self.index = index
  }

  /// Over the bundled descriptor set (`ProtoDescriptors`).
  public init(serviceNames: [String]) throws {
    let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: try ProtoDescriptors.serializedFileDescriptorSet())
    self.init(serviceNames: serviceNames, index: try DescriptorIndex(descriptors: set))
  }

  /// The names of the reflection services themselves, to list among the served ones.
  public static let names = [
    Grpc_Reflection_V1_ServerReflection.descriptor.fullyQualifiedService,
    Grpc_Reflection_V1alpha_ServerReflection.descriptor.fullyQualifiedService,
  ]

  public func serverReflectionInfo(
    request: RPCAsyncSequence<Request, any Error>,
    response: RPCWriter<Response>,
    context: ServerContext
  ) async throws {
    for try await message in request {
      try await response.write(self.answer(message))
    }
  }

  /// The answer to one request; pure.
  public func answer(_ request: Request) -> Response {
    var response = Response()
    response.validHost = request.host
    response.originalRequest = request
    switch request.messageRequest {
    case .listServices:
      response.listServicesResponse.service = self.serviceNames.map { name in
        var service = Grpc_Reflection_V1_ServiceResponse()
        service.name = name
        return service
      }
    case .fileByFilename(let name):
      response.messageResponse = self.files(named: name, notFound: "no file '\(name)'")
    case .fileContainingSymbol(let symbol):
      let name = self.index.file(declaring: symbol) ?? ""
      response.messageResponse = self.files(named: name, notFound: "no symbol '\(symbol)'")
    case .fileContainingExtension(let request):
      let name = self.index.file(extending: request.containingType, number: request.extensionNumber) ?? ""
      response.messageResponse = self.files(
        named: name,
        notFound: "no extension \(request.extensionNumber) of '\(request.containingType)'"
      )
    case .allExtensionNumbersOfType(let type):
      if let numbers = self.index.extensionNumbers(of: type) {
        response.allExtensionNumbersResponse.baseTypeName = type
        response.allExtensionNumbersResponse.extensionNumber = numbers
      } else {
        response.messageResponse = Self.error(.notFound, "no message type '\(type)'")
      }
    case nil:
      response.messageResponse = Self.error(.invalidArgument, "the request names no question (message_request is unset)")
    }
    return response
  }

  private func files(named name: String, notFound: String) -> Response.OneOf_MessageResponse {
    guard let files = self.index.fileWithDependencies(named: name) else { return Self.error(.notFound, notFound) }
    var answer = Grpc_Reflection_V1_FileDescriptorResponse()
    answer.fileDescriptorProto = files
    return .fileDescriptorResponse(answer)
  }

  private static func error(_ code: RPCError.Code, _ message: String) -> Response.OneOf_MessageResponse {
    var error = Grpc_Reflection_V1_ErrorResponse()
    error.errorCode = Int32(code.rawValue)
    error.errorMessage = message
    return .errorResponse(error)
  }
}
