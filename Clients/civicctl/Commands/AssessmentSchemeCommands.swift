import ArgumentParser
import CivicProtos
import Foundation

extension AssessmentCommand {
  /// `assessment scheme show|set`: the scoring scheme as data, versioned (every version kept).
  struct Scheme: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The assessment scheme: weights of basic work and social evaluation, and penalties.",
      subcommands: [ShowScheme.self, SetScheme.self]
    )

    static func print(_ scheme: Civicgrid_V1_AssessmentScheme, json: Bool) throws {
      if json { return try Output.json(scheme) }
      let history = scheme.history.filter { $0 != scheme.version }.map { "v\($0)" }.joined(separator: ", ")
      Output.line(
        "Assessment scheme version \(scheme.version): \(scheme.name) (by \(scheme.createdBy), \(Output.time(scheme.createdAt)))"
          + (history.isEmpty ? "" : " · earlier: \(history)")
      )
      var table = Table([.init("PART"), .init("POINTS", .right)])
      for weight in scheme.basicWork { table.append(["basic work: \(weight.indicator)", String(format: "%.2f", weight.points)]) }
      table.append(["social evaluation: satisfaction_rate", String(format: "%.2f", scheme.socialEvaluationPoints)])
      table.append(["per listed order", String(format: "-%.2f", scheme.pointsPerListedOrder)])
      table.append(["per criticism", String(format: "-%.2f", scheme.pointsPerCriticism)])
      table.append(["penalty cap", String(format: "-%.2f", scheme.penaltyCap)])
      Output.text(table.render())
    }

    struct ShowScheme: AsyncParsableCommand {
      static let configuration = CommandConfiguration(commandName: "show", abstract: "The scheme in force, or --version N.")
      @OptionGroup var global: GlobalOptions
      @Option(help: "A version to read (default: the one in force).") var version: Int32 = 0

      func run() async throws {
        var request = Civicgrid_V1_GetSchemeRequest()
        request.version = self.version
        do {
          let scheme = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
            try await client.getScheme(request, metadata: metadata, options: options)
          }
          try Scheme.print(scheme, json: self.global.json)
        } catch {
          Failure.exit(error)
        }
      }
    }

    struct SetScheme: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Publish a new scheme version (admin); closed periods keep the version they were assessed under.",
        discussion:
          "Each --weight is INDICATOR=POINTS for a rate, e.g. --weight on_time_completion_rate=20 --weight dispute_resolution_rate=10."
      )
      @OptionGroup var global: GlobalOptions
      @Option(help: "The scheme's name.") var name: String
      @Option(help: "A basic-work weight INDICATOR=POINTS (repeatable).") var weight: [String]
      @Option(help: "Social evaluation points (× satisfaction rate).") var social: Double = 30
      @Option(help: "Points deducted per listed order.") var perListedOrder: Double = 2
      @Option(help: "Points deducted per criticism.") var perCriticism: Double = 3
      @Option(help: "At most this many points deducted.") var penaltyCap: Double = 20
      @Option(help: "The version you read (default: the one in force).") var expectedVersion: Int32?

      func run() async throws {
        var request = Civicgrid_V1_SetSchemeRequest()
        request.name = self.name
        request.basicWork = try self.weight.map { text in
          let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
          guard parts.count == 2, let points = Double(parts[1]) else {
            throw ValidationError("--weight '\(text)': expected INDICATOR=POINTS")
          }
          var weight = Civicgrid_V1_SchemeWeight()
          weight.indicator = parts[0]
          weight.points = points
          return weight
        }
        request.socialEvaluationPoints = self.social
        request.pointsPerListedOrder = self.perListedOrder
        request.pointsPerCriticism = self.perCriticism
        request.penaltyCap = self.penaltyCap
        let given = self.expectedVersion
        do {
          let scheme = try await EvaluationAction.call(self.global) { [request] client, metadata, options in
            var request = request
            if let given {
              request.expectedVersion = given
            } else {
              request.expectedVersion = try await client.getScheme(.init(), metadata: metadata, options: options).version
            }
            return try await client.setScheme(request, metadata: metadata, options: options)
          }
          try Scheme.print(scheme, json: self.global.json)
        } catch {
          Failure.exit(error)
        }
      }
    }
  }
}
