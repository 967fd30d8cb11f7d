public import CivicStore
import CivicWireCore
public import GRPCCore

/// The one place where a storage failure becomes an RPC status; services just rethrow.
///
/// It lives in the RPC layer, not in CivicStore, so the store knows nothing of RPC.
extension StoreError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code {
    switch self.code {
    case .unavailable, .connectionLost, .poolClosed: return .unavailable
    case .deadlineExceeded: return .deadlineExceeded
    case .cancelled: return .cancelled
    case .poolExhausted: return .resourceExhausted
    case .server: return Self.rpcCode(sqlState: self.sqlState ?? "")
    default: return .internalError
    }
  }

  public var rpcErrorMessage: String {
    switch self.rpcErrorCode {
    case .unavailable: return "the database is unavailable; retry later"
    case .deadlineExceeded: return "the database did not answer before the deadline"
    case .resourceExhausted: return "server busy: every database connection is in use and the wait queue is full; retry later"
    case .cancelled: return "the database statement was cancelled"
    case .aborted: return "the transaction conflicted with a concurrent one; retry"
    case .alreadyExists: return "already exists (\(self.constraint ?? "unique constraint"))"
    case .failedPrecondition: return "a database constraint was violated (\(self.constraint ?? self.sqlState ?? "?"))"
    case .invalidArgument: return "a value was rejected by the database (SQLSTATE \(self.sqlState ?? "?"))"
    default: return "internal database error"
    }
  }

  /// A full pool queue carries the retry hint of admission control (docs/RELIABILITY.md).
  public var rpcErrorMetadata: Metadata {
    guard self.code == .poolExhausted else { return [:] }
    return [RetryAfterMetadata.key: .string(String(Self.poolRetryAfterMillis))]
  }

  /// The hint for a full pool queue: about one statement's time.
  static let poolRetryAfterMillis = 50

  private static func rpcCode(sqlState: String) -> RPCError.Code {
    switch sqlState {
    case "40001", "40P01": return .aborted
    case "23505": return .alreadyExists
    case "57014": return .deadlineExceeded
    case "57P01", "57P02", "57P03", "53300": return .unavailable
    default: break
    }
    switch sqlState.prefix(2) {
    case "08": return .unavailable
    case "23": return .failedPrecondition
    case "22": return .invalidArgument
    default: return .internalError
    }
  }
}
