import CivicTestSupport
import Foundation
import Testing

/// `ops/pg` from a checkout other users cannot enter (a clone under root's home directory or
/// in a `mktemp -d` folder): the cluster's folder is one its owner can reach, outside the
/// checkout, on a port of the checkout's own (docs/OPERATIONS.md, "The private PostgreSQL cluster").
@Suite("ops/pg in a closed checkout", .serialized, .timeLimit(.minutes(5)))
struct PrivateClusterCheckoutTests {
  @Test("in a mode-700 clone, ops/pg start, status, url and stop work, with the cluster outside the clone and a port of its own")
  func startStatusURLStopInAClosedClone() async throws {
    let checkout = try await ScratchCheckout.clone()
    do {
      try await Self.check(checkout)
      await checkout.destroy()
    } catch {
      await checkout.destroy()
      throw error
    }
  }

  static func check(_ checkout: ScratchCheckout) async throws {
    let mode = try FileManager.default.attributesOfItem(atPath: checkout.folder.path)[.posixPermissions] as? Int
    #expect(mode == 0o700)
    if getuid() == 0 {
      // The situation under test: the user PostgreSQL runs as cannot enter the checkout.
      let entered = try await ChildProcess.run(
        URL(fileURLWithPath: "/usr/sbin/runuser"), ["-u", "postgres", "--", "test", "-x", checkout.root.path],
        in: URL(fileURLWithPath: "/"), logs: checkout.folder, timeLimit: .seconds(30)
      )
      #expect(entered.status != 0, "postgres can enter \(checkout.root.path)")
    }

    let started = try await checkout.run("ops/pg", ["start"])
    try #require(started.status == 0, "ops/pg start: \(started.stderr)")

    let status = try await checkout.run("ops/pg", ["status"])
    #expect(status.status == 0, "\(status.stderr)")
    let lines = status.stdout.split(separator: "\n").map(String.init)
    let running = try #require(lines.first)
    #expect(running.hasPrefix("running: postgresql:///postgres?host="))
    let folder = try #require(lines.first { $0.hasPrefix("folder: ") }).dropFirst("folder: ".count).split(separator: " ").first.map(String.init)
    let clusterFolder = try #require(folder)
    #expect(!clusterFolder.hasPrefix(checkout.folder.path), "the cluster lives outside the closed checkout: \(clusterFolder)")
    #expect(running.contains("host=\(clusterFolder)&"), "the socket is in the cluster's folder")

    // The URL names the cluster's socket folder and port; the database answers on it.
    let url = try await checkout.run("ops/pg", ["url", "--owner", "postgres"])
    #expect(url.status == 0)
    let ownerURL = url.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let port = try #require(Self.port(of: ownerURL))
    #expect(ownerURL == "postgresql:///postgres?host=\(clusterFolder)&port=\(port)&user=civicgrid_owner")
    #expect(running.contains("&port=\(port)&"))
    let answer = try await ChildProcess.run(
      URL(fileURLWithPath: "/usr/bin/env"), ["psql", "-X", "-tAc", "SELECT current_user", ownerURL],
      in: checkout.root, environment: ScratchCheckout.scriptEnvironment, logs: checkout.folder, timeLimit: .seconds(60)
    )
    #expect(answer.status == 0, "\(answer.stderr)")
    #expect(answer.stdout == "civicgrid_owner\n")

    // Another checkout (this one) gets another port, so both clusters can run at once.
    let ours = try await ChildProcess.run(
      Binaries.packageRoot.appendingPathComponent("ops/pg"), ["url"], in: Binaries.packageRoot,
      environment: ScratchCheckout.scriptEnvironment, logs: checkout.folder, timeLimit: .seconds(60)
    )
    #expect(ours.status == 0)
    #expect(Self.port(of: ours.stdout) != port, "two checkouts, one port: \(ours.stdout)")

    let stopped = try await checkout.run("ops/pg", ["stop"])
    #expect(stopped.status == 0, "\(stopped.stderr)")
    let after = try await checkout.run("ops/pg", ["status"])
    #expect(after.status == 3)
    #expect(after.stdout.hasPrefix("stopped\n"))
    #expect(after.stdout.contains("folder: \(clusterFolder) "))
  }

  /// The `port=` of an `ops/pg url` answer.
  static func port(of url: String) -> Int? {
    guard let range = url.range(of: "port=") else { return nil }
    return Int(url[range.upperBound...].prefix { $0.isNumber })
  }
}
