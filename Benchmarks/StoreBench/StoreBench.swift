import CivicStore
import Foundation
import Logging

/// ops/bench/store: the insert+select transaction of `ops/bench/store.sql`, through
/// CivicStore, from N concurrent clients for a fixed time; prints transactions/s.
///   StoreBench <url> <clients> <seconds>
@main
struct StoreBench {
  static func main() async throws {
    let arguments = CommandLine.arguments
    guard arguments.count == 4, let clients = Int(arguments[2]), let seconds = Int(arguments[3]) else {
      FileHandle.standardError.write(Data("usage: StoreBench <database-url> <clients> <seconds>\n".utf8))
      exit(64)
    }
    var logger = Logger(label: "storebench")
    logger.logLevel = .warning
    let pool = StorePool(configuration: StoreConfiguration(connectionString: arguments[1], poolSize: clients), logger: logger)
    // Warm up: open every connection and prepare the statements once.
    try await Self.run(pool: pool, clients: clients, until: .now + .seconds(1))
    let started = ContinuousClock.now
    let count = try await Self.run(pool: pool, clients: clients, until: started + .seconds(seconds))
    let elapsed = ContinuousClock.now - started
    let tps = Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    print(String(format: "%.1f", tps))
    await pool.close()
  }

  @discardableResult
  static func run(pool: StorePool, clients: Int, until deadline: ContinuousClock.Instant) async throws -> Int {
    try await withThrowingTaskGroup(of: Int.self) { group in
      for _ in 0..<clients {
        group.addTask {
          var done = 0
          while ContinuousClock.now < deadline {
            try await pool.transaction { connection in
              let v = Int.random(in: 1...1_000_000)
              let id = try await connection.query(
                "INSERT INTO bench_items (v, note) VALUES ($1, $2) RETURNING id", [v, "note"]
              ).scalar(Int64.self)
              let row = try await connection.query("SELECT v, note FROM bench_items WHERE id = $1", [id])
              precondition(row.rows.count == 1)
            }
            done += 1
          }
          return done
        }
      }
      return try await group.reduce(0, +)
    }
  }
}
