public import CivicDomain
public import GRPCCore

/// The one place where the domain's refusals become RPC status codes; the message (which names
/// the field or the current state) passes through unchanged.
extension DomainError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code {
    switch self {
    case .invalidField: return .invalidArgument
    case .illegalState, .precondition, .noWorkingTime: return .failedPrecondition
    case .staleVersion, .conflict: return .aborted
    case .notFound: return .notFound
    case .alreadyExists: return .alreadyExists
    case .permissionDenied: return .permissionDenied
    case .capacityExhausted: return .resourceExhausted
    }
  }

  public var rpcErrorMessage: String { self.description }
}
