import Foundation

/// A thread of its own for one pooled connection, used as the lease's task executor.
///
/// While a task holds a lease, its nonisolated code (the `withConnection` or
/// `transaction` closure and CivicStore's own calls) runs here, so each statement blocks
/// in libpq right on this thread, as a C client would, instead of hopping to the thread
/// pool and back into the cooperative pool once per statement. The thread only ever
/// blocks in libpq for the connection it belongs to, so blocking it stalls nobody else.
final class ConnectionThread: TaskExecutor, @unchecked Sendable {
  private let condition = NSCondition()
  // Guarded by `condition`.
  private var jobs: [UnownedJob] = []
  private var stopped = false
  private var thread: pthread_t?

  init(name: String) {
    // Named from inside (at most 15 bytes on Linux): a name set before `start` is not applied,
    // and the thread would keep the name of the one that started it (a thread pool's `TP-#n`).
    let thread = Thread { [self] in
      Thread.current.name = name
      self.runLoop()
    }
    thread.start()
    // Wait until the thread has recorded its identity, so `isCurrent` never races.
    self.condition.lock()
    while self.thread == nil { self.condition.wait() }
    self.condition.unlock()
  }

  /// Whether the caller runs on this thread.
  var isCurrent: Bool {
    // Written once before `init` returns, read-only afterwards.
    pthread_equal(self.thread!, pthread_self()) != 0
  }

  func enqueue(_ job: consuming ExecutorJob) {
    self.condition.lock()
    guard !self.stopped else {
      self.condition.unlock()
      // A task that still prefers this executor after the connection closed: run it anywhere.
      globalConcurrentExecutor.enqueue(job)
      return
    }
    self.jobs.append(UnownedJob(job))
    self.condition.signal()
    self.condition.unlock()
  }

  /// Lets the thread finish the jobs it has and exit (the connection closed).
  func stop() {
    self.condition.lock()
    self.stopped = true
    self.condition.signal()
    self.condition.unlock()
  }

  private func runLoop() {
    self.condition.lock()
    self.thread = pthread_self()
    self.condition.broadcast()
    var batch: [UnownedJob] = []
    while true {
      while self.jobs.isEmpty && !self.stopped { self.condition.wait() }
      if self.jobs.isEmpty { break }
      swap(&batch, &self.jobs)
      self.condition.unlock()
      for job in batch { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
      batch.removeAll(keepingCapacity: true)
      self.condition.lock()
    }
    self.condition.unlock()
  }
}
