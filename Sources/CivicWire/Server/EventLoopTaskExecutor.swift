public import NIOCore

/// A task executor that runs jobs on one NIO event loop.
///
/// The transport runs a connection's calls on the event loop that reads and writes its
/// socket (`CivicWireServerConfig.callsOnEventLoop`), as Netty runs handlers on their
/// channel's I/O thread. A call then starts in the same loop tick as the frame that opened
/// it, and its response is written from that thread, instead of each call hopping to
/// Swift's global executor and its response back to the loop: two thread wake-ups per call.
/// Handlers must not block (the store's blocking libpq calls run on threads of their own).
public final class EventLoopTaskExecutor: TaskExecutor {
  public let eventLoop: any EventLoop

  public init(_ eventLoop: any EventLoop) {
    self.eventLoop = eventLoop
  }

  public func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    // From the loop itself this only appends to its task queue; from another thread it
    // also wakes the loop.
    self.eventLoop.execute {
      job.runSynchronously(on: self.asUnownedTaskExecutor())
    }
  }
}
