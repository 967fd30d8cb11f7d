public import CivicDomain
public import GRPCCore

extension ContractSuspension: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code { .failedPrecondition }

  public var rpcErrorMessage: String { self.description }
}
