import ArgumentParser
import CivicProtos
import Foundation

/// `civicctl targets show|set`: indicator targets, versioned (every version kept).
struct TargetsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "targets",
    abstract: "Indicator targets (acceptance 100 %, on time 100 %, resolution ≥ 95 % …), flagged in metrics, reports and the assessment.",
    subcommands: [ShowTargets.self, SetTargets.self]
  )

  static func print(_ targets: Civicgrid_V1_IndicatorTargets, json: Bool) throws {
    if json { return try Output.json(targets) }
    let history = targets.history.filter { $0 != targets.version }.map { "v\($0)" }.joined(separator: ", ")
    Output.line(
      "Targets version \(targets.version) (by \(targets.createdBy), \(Output.time(targets.createdAt)))"
        + (history.isEmpty ? "" : " · earlier: \(history)")
    )
    var table = Table([.init("INDICATOR"), .init("TARGET", .right)])
    for target in targets.targets {
      table.append([target.indicator, "\(target.comparison == .atMost ? "<=" : ">=") \(target.threshold)"])
    }
    Output.text(table.render())
  }

  struct ShowTargets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "The targets in force, or --version N.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "A version to read (default: the one in force).") var version: Int32 = 0

    func run() async throws {
      var request = Civicgrid_V1_GetTargetsRequest()
      request.version = self.version
      do {
        let targets = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
          try await client.getTargets(request, metadata: metadata, options: options)
        }
        try TargetsCommand.print(targets, json: self.global.json)
      } catch {
        Failure.exit(error)
      }
    }
  }

  struct SetTargets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "set",
      abstract: "Publish a new targets version (admin): the whole set; an indicator left out has no target.",
      discussion:
        "Each --target is INDICATOR>=VALUE or INDICATOR<=VALUE, a rate as a fraction: --target dispute_resolution_rate>=0.95 --target overdue_count<=0."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "A target (repeatable).") var target: [String] = []
    @Option(help: "The version you read (default: the one in force).") var expectedVersion: Int32?

    func run() async throws {
      var request = Civicgrid_V1_SetTargetsRequest()
      request.targets = try self.target.map { text in
        for (sign, comparison) in [(">=", Civicgrid_V1_TargetComparison.atLeast), ("<=", .atMost)] {
          guard let range = text.range(of: sign) else { continue }
          guard let threshold = Double(text[range.upperBound...]) else { break }
          var target = Civicgrid_V1_IndicatorTarget()
          target.indicator = String(text[..<range.lowerBound])
          target.comparison = comparison
          target.threshold = threshold
          return target
        }
        throw ValidationError("--target '\(text)': expected INDICATOR>=VALUE or INDICATOR<=VALUE")
      }
      let given = self.expectedVersion
      do {
        let targets = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
          var request = request
          if let given {
            request.expectedVersion = given
          } else {
            request.expectedVersion = try await client.getTargets(.init(), metadata: metadata, options: options).version
          }
          return try await client.setTargets(request, metadata: metadata, options: options)
        }
        try TargetsCommand.print(targets, json: self.global.json)
      } catch {
        Failure.exit(error)
      }
    }
  }
}
