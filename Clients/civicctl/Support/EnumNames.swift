import ArgumentParser
import CivicProtos
import Foundation

/// Names people type and read for the directory's enums: `community`, `grid-worker`,
/// `social-organisation`. Parsing is case-insensitive and takes `_` for `-` and the proto
/// names (`ROLE_GRID_WORKER`) too; an unknown name fails listing every known one.
protocol NamedEnum: CaseIterable, Equatable, Sendable {
  /// What the value is called in messages ("unit kind", "role").
  static var what: String { get }
  /// The proto enum name prefix (`UNIT_KIND_`, `ROLE_`).
  static var protoPrefix: String { get }
  /// Every value a person may name with its name, unspecified excluded.
  static var names: [(Self, String)] { get }
}

struct UnknownName: Error, CustomStringConvertible {
  let what: String
  let text: String
  let known: [String]
  var description: String { "unknown \(self.what) '\(self.text)'; expected one of: \(self.known.joined(separator: ", "))" }
}

extension NamedEnum {
  static func parse(_ text: String) throws -> Self {
    var key = text.trimmingCharacters(in: .whitespaces).uppercased().replacingOccurrences(of: "-", with: "_")
    if key.hasPrefix(Self.protoPrefix) { key.removeFirst(Self.protoPrefix.count) }
    for (value, name) in Self.names where name.uppercased().replacingOccurrences(of: "-", with: "_") == key {
      return value
    }
    throw UnknownName(what: Self.what, text: text, known: Self.names.map(\.1))
  }

  /// The name of a value; unknown numbers print as the number.
  var name: String {
    Self.names.first(where: { $0.0 == self })?.1 ?? "unspecified"
  }

  /// For `@Option(transform:)`: a usage error with the list of names.
  static func argument(_ text: String) throws -> Self {
    do {
      return try parse(text)
    } catch let error as UnknownName {
      throw ValidationError(error.description)
    }
  }
}

extension Civicgrid_V1_UnitKind: NamedEnum {
  static var what: String { "unit kind" }
  static var protoPrefix: String { "UNIT_KIND_" }
  static var names: [(Self, String)] {
    [
      (.district, "district"), (.street, "street"), (.township, "township"), (.community, "community"),
      (.village, "village"), (.grid, "grid"), (.department, "department"), (.centre, "centre"),
      (.socialOrganisation, "social-organisation"),
    ]
  }
}

extension Civicgrid_V1_Role: NamedEnum {
  static var what: String { "role" }
  static var protoPrefix: String { "ROLE_" }
  static var names: [(Self, String)] {
    [
      (.admin, "admin"), (.clerk, "clerk"), (.handler, "handler"), (.supervisor, "supervisor"),
      (.gridWorker, "grid-worker"), (.mediator, "mediator"), (.partner, "partner"), (.auditor, "auditor"),
    ]
  }
}

extension Civicgrid_V1_ItemKind: NamedEnum {
  static var what: String { "item kind" }
  static var protoPrefix: String { "ITEM_KIND_" }
  static var names: [(Self, String)] { [(.immediate, "immediate"), (.promised, "promised")] }
}

extension Civicgrid_V1_ItemVersionStatus: NamedEnum {
  static var what: String { "item version status" }
  static var protoPrefix: String { "ITEM_VERSION_STATUS_" }
  static var names: [(Self, String)] { [(.draft, "draft"), (.published, "published"), (.suspended, "suspended"), (.retired, "retired")] }
}

extension Civicgrid_V1_IntakeChannel: NamedEnum {
  static var what: String { "intake channel" }
  static var protoPrefix: String { "INTAKE_CHANNEL_" }
  static var names: [(Self, String)] {
    [
      (.window, "window"), (.online, "online"), (.mobile, "mobile"), (.hotline, "hotline"), (.appointment, "appointment"),
      (.doorToDoor, "door-to-door"),
    ]
  }
}

extension Civicgrid_V1_DeliveryMethod: NamedEnum {
  static var what: String { "delivery method" }
  static var protoPrefix: String { "DELIVERY_METHOD_" }
  static var names: [(Self, String)] { [(.pickup, "pickup"), (.mail, "mail"), (.electronic, "electronic")] }
}

extension Civicgrid_V1_DayKind: NamedEnum {
  static var what: String { "day kind" }
  static var protoPrefix: String { "DAY_KIND_" }
  static var names: [(Self, String)] { [(.holiday, "holiday"), (.swappedWorkingDay, "swapped-working-day"), (.ordinary, "ordinary")] }
}

extension Civicgrid_V1_WarningLevel: NamedEnum {
  static var what: String { "warning level" }
  static var protoPrefix: String { "WARNING_LEVEL_" }
  static var names: [(Self, String)] { [(.green, "green"), (.yellow, "yellow"), (.red, "red"), (.overdue, "overdue")] }
}
