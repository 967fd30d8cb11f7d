import CivicServer
import CivicServices
import Logging
import Testing

/// The per-call pieces every RPC passes through: its request id, its logger's metadata
/// and the task canceller that bridges an RPC's cancellation to its handler's task.
@Suite("Call plumbing", .timeLimit(.minutes(1)))
struct CallPlumbingTests {
  @Test("a fresh request id is a lowercase version-4 UUID, and ids differ")
  func freshRequestID() {
    let ids = (0..<1000).map { _ in RequestID.fresh() }
    for id in ids {
      let groups = id.split(separator: "-", omittingEmptySubsequences: false)
      #expect(groups.map(\.count) == [8, 4, 4, 4, 12], "\(id)")
      #expect(id.allSatisfy { "0123456789abcdef-".contains($0) }, "\(id)")
      #expect(groups[2].first == "4", "version nibble of \(id)")
      #expect("89ab".contains(groups[3].first!), "variant of \(id)")
    }
    #expect(Set(ids).count == ids.count)
  }

  @Test("a call logger writes the call's metadata under the line's own, over the server logger's")
  func callLoggerMetadata() {
    let log = CapturedLog()
    var server = log.logger(label: "server")
    server[metadataKey: "instance"] = "a"
    server[metadataKey: "rpc.method"] = "server-wide"
    var call = server
    call.handler = CallLogHandler(wrapping: server.handler, metadata: ["rpc.method": "Cases/GetCase", "rpc.request_id": "r1"])
    call[metadataKey: "rpc.account"] = "clerk"
    call.info("one", metadata: ["rpc.request_id": "line"])
    #expect(call[metadataKey: "instance"] == "a")
    #expect(call[metadataKey: "rpc.method"] == "Cases/GetCase")
    // The server's logger is untouched.
    #expect(server[metadataKey: "rpc.account"] == nil)
    server.info("two")
    #expect(log.lines.map(\.metadata) == [
      ["instance": "a", "rpc.method": "Cases/GetCase", "rpc.request_id": "line", "rpc.account": "clerk"],
      ["instance": "a", "rpc.method": "server-wide"],
    ])
    // Wrapping a call logger again keeps one overlay.
    var nested = call
    nested.handler = CallLogHandler(wrapping: call.handler, metadata: ["rpc.request_id": "r2"])
    nested.info("three")
    #expect(log.lines.last?.metadata == ["instance": "a", "rpc.method": "Cases/GetCase", "rpc.request_id": "r2", "rpc.account": "clerk"])
  }

  @Test("the canceller cancels the attached task, keeps a cancel that came first, and ignores one after detach")
  func canceller() async {
    let attached = TaskCanceller()
    let cancelled = await Task {
      attached.attachCurrentTask()
      defer { attached.detach() }
      attached.cancel()
      return Task.isCancelled
    }.value
    #expect(cancelled)

    let early = TaskCanceller()
    early.cancel()
    let cancelledOnAttach = await Task {
      early.attachCurrentTask()
      defer { early.detach() }
      return Task.isCancelled
    }.value
    #expect(cancelledOnAttach)

    let late = TaskCanceller()
    let notCancelled = await Task {
      late.attachCurrentTask()
      late.detach()
      late.cancel()
      return Task.isCancelled
    }.value
    #expect(!notCancelled)
  }
}
