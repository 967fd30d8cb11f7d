import Logging
import Synchronization

/// Every line logged through its handlers, rendered as the text and JSON handlers would put
/// it (message and metadata, the logger's and the line's), for tests that search the output.
final class CapturedLog: Sendable {
  struct Line: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: [String: String]

    /// Everything the line would write.
    var rendered: String {
      ([self.message] + self.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
    }
  }

  private let captured = Mutex<[Line]>([])

  var lines: [Line] { self.captured.withLock { $0 } }

  /// A logger at `level` whose lines land here.
  func logger(label: String = "captured", level: Logger.Level = .debug) -> Logger {
    var logger = Logger(label: label) { _ in Handler(log: self) }
    logger.logLevel = level
    return logger
  }

  fileprivate func append(_ line: Line) {
    self.captured.withLock { $0.append(line) }
  }

  private struct Handler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { self.metadata[key] }
      set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
      let merged = self.metadata.merging(event.metadata ?? [:]) { _, line in line }
      self.log.append(Line(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
  }
}
