import Metrics
internal import NIOCore

/// `civicgrid_http2_connections_open` and `civicgrid_http2_streams_open`: the HTTP/2
/// listener's counterparts of CivicWire's gauges, kept from the transport's accept callbacks
/// (each channel counts until its close future completes).
struct HTTP2ConnectionGauges: Sendable {
  private let connections = Meter(label: "civicgrid_http2_connections_open")
  private let streams = Meter(label: "civicgrid_http2_streams_open")

  func connectionAccepted(_ channel: any Channel) {
    Self.count(channel, on: self.connections)
  }

  func streamAccepted(_ channel: any Channel) {
    Self.count(channel, on: self.streams)
  }

  private static func count(_ channel: any Channel, on meter: Meter) {
    meter.increment()
    channel.closeFuture.whenComplete { _ in meter.decrement() }
  }
}
