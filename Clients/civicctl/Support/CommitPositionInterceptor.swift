import Foundation
import GRPCCore

/// Carries read-your-writes between civicctl commands: sends the newest commit position
/// known for the server as `civicgrid-min-lsn` on every call (unless `--no-min-lsn`, or
/// --metadata already sets the key), and records every `civicgrid-commit-lsn` an answer
/// carries (initial or trailing metadata) in `CommitPositions` as soon as it arrives, so a
/// command that fails later keeps what it wrote.
struct CommitPositionInterceptor: ClientInterceptor {
  static let minimumKey = "civicgrid-min-lsn"
  static let commitKey = "civicgrid-commit-lsn"

  let positions: CommitPositions
  let server: String
  let sendsMinimum: Bool

  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingClientRequest<Input>,
    context: ClientContext,
    next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
  ) async throws -> StreamingClientResponse<Output> {
    var request = request
    if self.sendsMinimum, !request.metadata.contains(where: { $0.key == Self.minimumKey }), let known = self.positions.position(for: self.server) {
      request.metadata.addString(known.description, forKey: Self.minimumKey)
    }
    var response = try await next(request, context)
    guard case .success(var contents) = response.accepted else { return response }
    self.record(contents.metadata)
    let recorder = self
    contents.bodyParts = RPCAsyncSequence(
      wrapping: contents.bodyParts.map { part in
        if case .trailingMetadata(let trailing) = part { recorder.record(trailing) }
        return part
      }
    )
    response.accepted = .success(contents)
    return response
  }

  /// Records the position `metadata` carries, if any; a failure to record is said on stderr
  /// and does not fail the call.
  func record(_ metadata: Metadata) {
    guard let text = metadata[stringValues: Self.commitKey].first(where: { _ in true }), let position = CommitPosition(text) else { return }
    do {
      try self.positions.record(position, for: self.server)
    } catch {
      FileHandle.standardError.write(Data("civicctl: cannot remember the commit position: \(error)\n".utf8))
    }
  }
}
