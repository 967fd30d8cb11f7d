/// The part of the unit tree an account acts in.
///
/// Units carry a materialised path of codes from the root (`/D01/S01/C03/`, always with a
/// trailing `/`), so a subtree is every path starting with its root's path: one range scan
/// on `units.path` (`text COLLATE "C"`), where `/` sorts just below `0`.
public enum UnitScope: Sendable, Hashable {
  /// The whole directory (the auditor grant).
  case everything
  /// The unit with this path and everything below it.
  case subtree(String)

  public func contains(path: String) -> Bool {
    switch self {
    case .everything: true
    case .subtree(let root): path.hasPrefix(root)
    }
  }

  /// Whether every unit of `other` is inside this scope.
  public func contains(_ other: UnitScope) -> Bool {
    switch (self, other) {
    case (.everything, _): true
    case (.subtree, .everything): false
    case (.subtree(let root), .subtree(let path)): path.hasPrefix(root)
    }
  }

  /// Whether the scope holds the root unit and so the whole district. A root path has one
  /// code: `/QH/`.
  public var coversDistrict: Bool {
    switch self {
    case .everything: true
    case .subtree(let root): root.utf8.filter { $0 == UInt8(ascii: "/") }.count == 2
    }
  }

  /// Bounds for `path >= lower AND path < upper`: every path with the scope's prefix.
  /// (`/` is the last character of a path prefix and `0` the next code point.)
  public var sqlRange: (lower: String, upper: String) {
    switch self {
    case .everything: ("/", "0")
    case .subtree(let root): (root, String(root.dropLast()) + "0")
    }
  }
}
