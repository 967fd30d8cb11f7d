import Foundation
public import Logging

/// A swift-log handler writing one JSON object per line to standard error:
/// `{"ts":…,"level":…,"logger":…,"msg":…,<metadata keys>…}`, for log collectors.
public struct JSONLogHandler: LogHandler {
  public var logLevel: Logger.Level = .info
  public var metadata: Logger.Metadata = [:]
  /// Metadata every line gets from its task's context (the current trace and span ids).
  public var metadataProvider: Logger.MetadataProvider?
  private let label: String

  public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
    self.label = label
    self.metadataProvider = metadataProvider
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { self.metadata[key] }
    set { self.metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var object: [String: Any] = [
      "ts": ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds]),
      "level": event.level.rawValue,
      "logger": self.label,
      "msg": "\(event.message)",
    ]
    let provided = self.metadataProvider?.get() ?? [:]
    for (key, value) in provided.merging(self.metadata, uniquingKeysWith: { $1 }).merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
      object[key] = "\(value)"
    }
    guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
    line.append(0x0A)
    FileHandle.standardError.write(line)
  }
}
