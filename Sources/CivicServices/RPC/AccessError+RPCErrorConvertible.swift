public import GRPCCore

extension AccessError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code {
    switch self {
    case .unauthenticated: .unauthenticated
    }
  }

  public var rpcErrorMessage: String { self.description }
}
