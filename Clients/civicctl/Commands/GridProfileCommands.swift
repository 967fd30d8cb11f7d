import ArgumentParser
import CivicProtos
import Foundation
import GRPCCore

extension Civicgrid_V1_GridRole: NamedEnum {
  static var what: String { "grid role" }
  static var protoPrefix: String { "GRID_ROLE_" }
  static var names: [(Self, String)] { [(.worker, "worker"), (.assistant, "assistant"), (.volunteer, "volunteer")] }
}

extension GridCommand {
  /// `grid profile show|set`: a grid's boundary, households, covered addresses and staff.
  struct Profile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "A grid's profile: boundary, households, the address prefixes it covers, and its staff (versioned).",
      subcommands: [ShowProfile.self, Set.self]
    )

    static func print(_ profile: Civicgrid_V1_GridProfile, json: Bool) throws {
      if json { return try Output.json(profile) }
      var lines = [
        "Grid \(profile.gridCode) · version \(profile.version) by \(profile.updatedBy), \(Output.time(profile.updatedAt))",
        "Boundary:   \(profile.boundary)",
        "Households: \(profile.households)",
        "Covers:     \(profile.areaPrefixes.joined(separator: "; "))",
      ]
      var staff = Table([.init("ROLE"), .init("NAME"), .init("LOGIN"), .init("DUTY NUMBER"), .init("DUTY HOURS"), .init("ON CARD")])
      for person in profile.staff {
        staff.append([person.role.name, person.name, person.login, person.dutyNumber, person.dutyHours, person.published ? "yes" : "no"])
      }
      lines.append(staff.render())
      Output.text(lines.joined(separator: "\n"))
    }

    /// `worker|Han Mei|gw-g1|13800000011|Mon–Fri 08:30–17:30|https://photos.example/han.jpg|hidden`: role
    /// and name required, the rest optional in order; staff are on the card unless the last is `hidden`.
    static func staff(_ text: String) throws -> Civicgrid_V1_GridStaff {
      var parts = text.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      guard (2...7).contains(parts.count) else {
        throw ValidationError("--staff '\(text)': expected ROLE|NAME[|LOGIN|DUTY-NUMBER|DUTY-HOURS|PHOTO-URI|hidden]")
      }
      var staff = Civicgrid_V1_GridStaff()
      staff.published = true
      if parts.count == 7 {
        guard parts[6] == "hidden" || parts[6] == "published" else {
          throw ValidationError("--staff '\(text)': the last field is 'published' or 'hidden', not '\(parts[6])'")
        }
        staff.published = parts.removeLast() == "published"
      }
      parts += Array(repeating: "", count: 6 - parts.count)
      staff.role = try Civicgrid_V1_GridRole.argument(parts[0])
      staff.name = parts[1]
      staff.login = parts[2]
      staff.dutyNumber = parts[3]
      staff.dutyHours = parts[4]
      staff.photoUri = parts[5]
      return staff
    }

    struct ShowProfile: AsyncParsableCommand {
      static let configuration = CommandConfiguration(commandName: "show", abstract: "A grid's full profile, staff included.")
      @OptionGroup var global: GlobalOptions
      @Argument(help: "The grid's code.") var grid: String

      func run() async throws {
        var request = Civicgrid_V1_GetGridProfileRequest()
        request.gridCode = self.grid
        do {
          let profile = try await ClientFactory.withServices(self.global) { [request] services in
            try await services.grids.getGridProfile(request, metadata: services.metadata, options: services.options)
          }
          try Profile.print(profile, json: self.global.json)
        } catch {
          Failure.exit(error)
        }
      }
    }

    struct Set: AsyncParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Replace a grid's profile (an admin, or a supervisor over the grid): the staff given are the whole staff.",
        discussion: "Each --staff is ROLE|NAME[|LOGIN|DUTY-NUMBER|DUTY-HOURS|PHOTO-URI|hidden], role worker, assistant or volunteer."
      )
      @OptionGroup var global: GlobalOptions
      @Argument(help: "The grid's code.") var grid: String
      @Option(help: "What the grid covers, in words.") var boundary: String
      @Option(help: "Households covered.") var households: Int32
      @Option(help: "An address prefix the grid covers (repeatable).") var prefix: [String] = []
      @Option(help: "A person working in the grid (repeatable).") var staff: [String] = []
      @Option(help: "The version you read (default: the current one, 0 for a grid without a profile).") var expectedVersion: Int64?

      func run() async throws {
        var request = Civicgrid_V1_SetGridProfileRequest()
        request.gridCode = self.grid
        request.boundary = self.boundary
        request.households = self.households
        request.areaPrefixes = self.prefix
        request.staff = try self.staff.map(Profile.staff)
        let given = self.expectedVersion
        do {
          let profile = try await ClientFactory.withServices(self.global) { [request] services in
            var request = request
            if let given {
              request.expectedVersion = given
            } else {
              var read = Civicgrid_V1_GetGridProfileRequest()
              read.gridCode = request.gridCode
              do {
                request.expectedVersion = try await services.grids.getGridProfile(read, metadata: services.metadata, options: services.options)
                  .version
              } catch let error as RPCError where error.code == .notFound {
                request.expectedVersion = 0  // no profile yet (a grid the caller cannot see is refused by the set)
              }
            }
            return try await services.grids.setGridProfile(request, metadata: services.metadata, options: services.options)
          }
          try Profile.print(profile, json: self.global.json)
        } catch {
          Failure.exit(error)
        }
      }
    }
  }

  /// `grid training add|list`: grid workers' training (course, date, hours), counted in the assessment.
  struct Training: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Grid workers' training records: record one, or list them under a unit with each person's total hours.",
      subcommands: [Add.self, ListRecords.self]
    )

    struct Add: AsyncParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Record one training of a grid worker in your scope.")
      @OptionGroup var global: GlobalOptions
      @Argument(help: "The grid worker's login.") var login: String
      @Option(help: "The course.") var course: String
      @Option(help: "The day, YYYY-MM-DD.") var date: String
      @Option(help: "Hours, 0.5–100 in half hours.") var hours: Double

      func run() async throws {
        var request = Civicgrid_V1_RecordTrainingRequest()
        request.login = self.login
        request.course = self.course
        request.date = self.date
        request.hours = self.hours
        do {
          let record = try await ClientFactory.withServices(self.global) { [request] services in
            try await services.grids.recordTraining(request, metadata: services.metadata, options: services.options)
          }
          if self.global.json { return try Output.json(record) }
          Output.line("Training \(record.id): \(record.login)@\(record.unitCode) · \(record.date) · \(Training.hours(record.hours)) h · \(record.course)")
        } catch {
          Failure.exit(error)
        }
      }
    }

    struct ListRecords: AsyncParsableCommand {
      static let configuration = CommandConfiguration(commandName: "list", abstract: "Training records under a unit, with total hours per person.")
      @OptionGroup var global: GlobalOptions
      @Option(help: "The unit (default: your scope).") var unit: String = ""
      @Option(help: "First day, YYYY-MM-DD.") var from: String = ""
      @Option(help: "Last day, YYYY-MM-DD.") var to: String = ""

      func run() async throws {
        var request = Civicgrid_V1_ListTrainingRequest()
        request.unitCode = self.unit
        request.from = self.from
        request.to = self.to
        do {
          let list = try await ClientFactory.withServices(self.global) { [request] services in
            try await services.grids.listTraining(request, metadata: services.metadata, options: services.options)
          }
          if self.global.json { return try Output.json(list) }
          var records = Table([.init("DATE"), .init("LOGIN"), .init("UNIT"), .init("HOURS", .right), .init("COURSE")])
          for record in list.records {
            records.append([record.date, record.login, record.unitCode, Training.hours(record.hours), record.course])
          }
          var totals = Table([.init("LOGIN"), .init("TOTAL HOURS", .right)])
          for (login, hours) in list.hoursByLogin.sorted(by: { $0.key < $1.key }) { totals.append([login, Training.hours(hours)]) }
          Output.text([records.render(), totals.render()].joined(separator: "\n\n"))
        } catch {
          Failure.exit(error)
        }
      }
    }

    /// 2 → "2", 1.5 → "1.5".
    static func hours(_ value: Double) -> String {
      value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
  }
}
