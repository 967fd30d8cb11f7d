import Metrics

/// The live subscribers of a streaming feed, as the gauge `civicgrid_feed_subscribers{feed}`.
struct FeedSubscribers: Sendable {
  /// `Cases/WatchEvents`.
  static let events = FeedSubscribers(feed: "events")
  /// `Supervision/WatchAlerts`.
  static let alerts = FeedSubscribers(feed: "alerts")

  private let gauge: Meter

  private init(feed: String) {
    self.gauge = Meter(label: "civicgrid_feed_subscribers", dimensions: [("feed", feed)])
  }

  /// Counts the caller as a subscriber while `body` (the feed's delivery loop) runs.
  func subscribed<R>(_ body: () async throws -> R) async throws -> R {
    self.gauge.increment()
    defer { self.gauge.decrement() }
    return try await body()
  }
}
