import CivicServer
import CivicTestSupport
import Foundation
import Testing

/// The README's commands as a new user runs them, in a fresh clone: `ops/run` until the server
/// answers health, `ops/demo` against it, then the server stopped.
///
/// `ops/run` builds a release binary by default, which in a fresh clone is a full build of
/// every dependency (half an hour on a loaded 2-core machine). The test points it at the debug
/// binaries this test run was built with (`CIVICGRID_BIN_DIR`), so it costs seconds and tests
/// the script's own steps: the private cluster in a checkout other users cannot enter, the
/// database and its roles, the demo data and admin token, and `serve` with the arguments given.
/// Sharing the build folder with the clone (`--scratch-path`) was not an option: SwiftPM would
/// rebuild everything for the clone's paths, in this checkout's `.build`.
@Suite("README commands in a fresh clone", .serialized, .timeLimit(.minutes(10)))
struct ReadmeCommandsTests {
  @Test("ops/run serves health and the demo admin token, ops/demo runs against it, SIGTERM stops it with status 0")
  func runThenDemo() async throws {
    let checkout = try await ScratchCheckout.clone()
    var environment = ScratchCheckout.scriptEnvironment
    environment["CIVICGRID_BIN_DIR"] = Binaries.binDirectory.path
    environment["CIVICCTL_CONFIG"] = checkout.folder.appendingPathComponent("civicctl.json").path
    let portFile = checkout.folder.appendingPathComponent("ports.json")
    let server = try checkout.start(
      "ops/run",
      ["--wire-listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--port-file", portFile.path],
      environment: environment
    )
    do {
      try await Self.check(server: server, portFile: portFile, checkout: checkout, environment: environment)
      await server.stop()
      await checkout.destroy()
    } catch {
      await server.stop()
      await checkout.destroy()
      throw error
    }
  }

  static func check(server: ChildProcess, portFile: URL, checkout: ScratchCheckout, environment: [String: String]) async throws {
    // ops/run creates the clone's cluster and database, seeds and starts serving: bounded wait
    // for the port file, failing at once if ops/run exits.
    var ports: CivicGridServer.BoundPorts?
    let deadline = ContinuousClock.now + .seconds(240)
    while ports == nil && server.isRunning && ContinuousClock.now < deadline {
      if let data = try? Data(contentsOf: portFile) { ports = try? JSONDecoder().decode(CivicGridServer.BoundPorts.self, from: data) }
      if ports == nil { try await Task.sleep(for: .milliseconds(100)) }
    }
    let bound = try #require(ports, "ops/run did not start serving: \(server.stderr)")
    let address = "127.0.0.1:\(bound.wire)"

    let civicctl = Binaries.civicctl
    let health = try await ChildProcess.run(
      civicctl, ["health", "--server", address], in: checkout.root, environment: environment, logs: checkout.folder,
      timeLimit: .seconds(60)
    )
    #expect(health.status == 0, "\(health.stderr)")
    #expect(health.stdout == "SERVING\n")

    // The admin token ops/run prints ("ops/run:   cg_…").
    let token = try #require(
      server.stderr.split(separator: "\n").compactMap { line -> String? in
        guard line.hasPrefix("ops/run:   ") else { return nil }
        return line.dropFirst("ops/run:   ".count).trimmingCharacters(in: .whitespaces)
      }.first,
      "no admin token in ops/run's output: \(server.stderr)"
    )

    var demoEnvironment = environment
    demoEnvironment["CIVICCTL"] = civicctl.path
    let demo = try await checkout.run("ops/demo", ["--server", address, "--token", token], environment: demoEnvironment)
    #expect(demo.status == 0, "\(demo.stderr)")
    #expect(demo.stdout.contains("went from submission to delivery through"), "\(demo.stdout.suffix(2000))")

    // SIGTERM drains and exits 0 (ops/run execs civicgridd).
    kill(server.processIdentifier, SIGTERM)
    let ended = await server.wait(timeLimit: .seconds(60))
    #expect(ended.status == 0, "\(ended.stderr.suffix(2000))")
  }
}
