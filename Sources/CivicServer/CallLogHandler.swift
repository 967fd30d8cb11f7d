package import Logging

/// The server's log handler with a call's metadata laid over it, merged into a line only
/// when one is written.
///
/// Setting metadata on a `Logger` makes swift-log's `StreamLogHandler` re-render all of it
/// (`prettify`) on every key set; done four times per call for the call's names, that was
/// about 6 % of a no-op call's CPU, though at the default `info` level no call line is
/// written. Here a set only updates the overlay.
package struct CallLogHandler: LogHandler {
  private var base: any LogHandler
  /// The call's metadata; a line's own metadata wins over it, and it over the base's.
  private var overlay: Logger.Metadata

  package init(wrapping base: any LogHandler, metadata: Logger.Metadata) {
    // A call logger made from a call logger keeps one overlay.
    if let call = base as? CallLogHandler {
      self.base = call.base
      self.overlay = call.overlay.merging(metadata) { _, new in new }
    } else {
      self.base = base
      self.overlay = metadata
    }
  }

  package var metadata: Logger.Metadata {
    get { self.base.metadata.merging(self.overlay) { _, call in call } }
    set { self.overlay = newValue }
  }

  package var logLevel: Logger.Level {
    get { self.base.logLevel }
    set { self.base.logLevel = newValue }
  }

  package var metadataProvider: Logger.MetadataProvider? {
    get { self.base.metadataProvider }
    set { self.base.metadataProvider = newValue }
  }

  package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { self.overlay[key] ?? self.base[metadataKey: key] }
    set { self.overlay[key] = newValue }
  }

  package func log(event: LogEvent) {
    var event = event
    event.metadata = self.overlay.merging(event.metadata ?? [:]) { _, line in line }
    self.base.log(event: event)
  }
}
