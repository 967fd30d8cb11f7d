public import GRPCCore
import SwiftProtobuf

/// The one masking step: masks the personal data in every response message, unary and
/// streaming alike, for a caller who may not see it (`PersonalDataAccess`).
///
/// It must run inside `AuthInterceptor`, which binds the caller as `RequestContext.current`;
/// `CivicGridServer` installs it after every other interceptor. A response type that holds
/// no personal data (`MaskPlan.leadsToPersonalData`), and every response to a caller who
/// sees personal data, passes through untouched.
public struct PersonalDataInterceptor: ServerInterceptor {
  private let plan: MaskPlan

  public init(plan: MaskPlan = .bundled) {
    self.plan = plan
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    var response = try await next(request, context)
    guard
      let type = Output.self as? any SwiftProtobuf.Message.Type,
      self.plan.leadsToPersonalData(type.protoMessageName),
      !PersonalDataAccess.seesPersonalData(RequestContext.current?.principal, in: type.protoMessageName),
      case .success(var contents) = response.accepted
    else { return response }
    let producer = contents.producer
    let plan = self.plan
    contents.producer = { writer in
      try await producer(RPCWriter(wrapping: MaskingWriter(base: writer, plan: plan)))
    }
    response.accepted = .success(contents)
    return response
  }
}

/// Masks each message on its way to the transport's writer.
private struct MaskingWriter<Element: Sendable>: RPCWriterProtocol {
  let base: RPCWriter<Element>
  let plan: MaskPlan

  func write(_ element: Element) async throws {
    try await self.base.write(try self.masked(element))
  }

  func write(contentsOf elements: some Sequence<Element>) async throws {
    try await self.base.write(contentsOf: try elements.map(self.masked))
  }

  private func masked(_ element: Element) throws -> Element {
    do {
      return try self.plan.mask(any: element)
    } catch {
      // Fail closed: a message that cannot be masked is not sent.
      throw RPCError(code: .internalError, message: "the response could not be masked")
    }
  }
}

extension MaskPlan {
  /// `value` as `principal` receives it in a response: masked when it is a message with
  /// personal data the caller may not see (what `PersonalDataInterceptor` does per message).
  public func response<T>(_ value: T, for principal: Principal?) throws -> T {
    let message = (value as? any SwiftProtobuf.Message).map { type(of: $0).protoMessageName }
    return PersonalDataAccess.seesPersonalData(principal, in: message) ? value : try self.mask(any: value)
  }
}
