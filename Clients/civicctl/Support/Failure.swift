import ArgumentParser
import CivicWire
import Foundation
import GRPCCore

/// Ends the command the documented way: status name and message on standard error,
/// the status code as exit status.
enum Failure {
  static func exit(_ error: any Error) -> Never {
    let code: Status.Code
    let message: String
    switch error {
    case let error as ValidationError:
      // A usage problem found only once the command ran (an environment value, a name).
      FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
      Foundation.exit(64)
    case let error as ConfigFile.Failure:
      code = .failedPrecondition
      message = error.description
    case let error as RPCError:
      code = Status.Code(error.code)
      message = error.message
    case let error as RuntimeError:
      code = .unavailable
      message = error.message
    default:
      code = .unknown
      message = "\(error)"
    }
    FileHandle.standardError.write(Data("\(StatusNames.name(of: code)): \(message)\n".utf8))
    Foundation.exit(Int32(code.rawValue == 0 ? 2 : code.rawValue))
  }
}
