import CivicWire
import GRPCCore

/// How a call's ending reads on its server span (OpenTelemetry's gRPC conventions): the
/// status code always, and the error status only for codes that mean the server failed;
/// a refused or invalid request is the caller's error, not the server's.
enum ServerSpanStatus {
  /// The call's gRPC status code: OK without an error, UNKNOWN for an error that is no `RPCError`.
  static func code(of error: (any Error)?) -> Status.Code {
    guard let error else { return .ok }
    guard let rpcError = error as? RPCError else { return .unknown }
    return Status.Code(rpcError.code)
  }

  /// UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS.
  static func isServerError(_ code: Status.Code) -> Bool {
    [.unknown, .deadlineExceeded, .unimplemented, .internalError, .unavailable, .dataLoss].contains(code)
  }

  static func name(of code: Status.Code) -> String { StatusNames.name(of: code) }
}
