public import GRPCCore

extension ServerInterceptor {
  /// Runs the rest of the chain and tells `settle` how the call ended: `nil` when it
  /// succeeded, else its error, whether the handler threw it, returned it as a rejected
  /// response, or threw it while the response streamed. For an error, what `settle`
  /// returns is the error the call ends with.
  func settling<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>,
    settle: @escaping @Sendable (_ error: (any Error)?) -> (any Error)?
  ) async throws -> StreamingServerResponse<Output> {
    do {
      var response = try await next(request, context)
      switch response.accepted {
      case .success(var contents):
        let producer = contents.producer
        contents.producer = { writer in
          let trailing: Metadata
          do {
            trailing = try await producer(writer)
          } catch {
            throw settle(error) ?? error
          }
          _ = settle(nil)
          return trailing
        }
        response.accepted = .success(contents)
      case .failure(let error):
        response.accepted = .failure(settle(error) as? RPCError ?? error)
      }
      return response
    } catch {
      throw settle(error) ?? error
    }
  }
}
