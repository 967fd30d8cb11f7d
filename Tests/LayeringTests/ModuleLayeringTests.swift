import Foundation
import Testing

/// Module arrows point down: a module imports nothing its layer must not know, neither in its
/// source files' `import` lines nor in its Package.swift dependency list (the two can drift
/// apart, so both are read).
@Suite("Module layering", .timeLimit(.minutes(1)))
struct ModuleLayeringTests {
  /// A module and what it must not depend on; `onlyAllowed`, when set, is the whole list of
  /// what it may import.
  struct Rule: Sendable, CustomTestStringConvertible {
    var module: String
    var forbidden: Set<String> = []
    var onlyAllowed: Set<String>?
    var reason: String

    var testDescription: String { "\(self.module): \(self.reason)" }

    func violations(in imports: Set<String>) -> [String] {
      var found = imports.intersection(self.forbidden)
      if let allowed = self.onlyAllowed { found.formUnion(imports.subtracting(allowed)) }
      return found.sorted()
    }
  }

  static let rules: [Rule] = [
    Rule(module: "CivicDomain", onlyAllowed: ["Foundation"], reason: "the rules are pure: Foundation at most"),
    Rule(
      module: "CivicStore",
      forbidden: ["GRPCCore", "GRPCProtobuf", "CivicProtos", "SwiftProtobuf", "CivicServices", "CivicRepositories"],
      reason: "the store knows nothing of RPC"
    ),
    Rule(
      module: "CivicRepositories",
      forbidden: ["GRPCCore", "GRPCProtobuf", "CivicProtos", "SwiftProtobuf", "CivicServices"],
      reason: "repositories know nothing of RPC or protobuf messages"
    ),
    Rule(
      module: "CivicWireCore",
      forbidden: ["NIOPosix", "CivicProtos", "CivicServices", "CivicServer"],
      reason: "the protocol core is NIOCore only, with its own wire messages"
    ),
    Rule(
      module: "CivicWire",
      forbidden: ["CivicProtos", "CivicServices", "CivicServer"],
      reason: "the transport knows no application service"
    ),
  ]

  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The modules the `.swift` files under Sources/<module> import.
  static func sourceImports(of module: String) throws -> Set<String> {
    let folder = Self.root.appendingPathComponent("Sources/\(module)")
    guard let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
    var imports: Set<String> = []
    for case let file as URL in files where file.pathExtension == "swift" {
      imports.formUnion(Self.imports(in: try String(contentsOf: file, encoding: .utf8)))
    }
    return imports
  }

  /// The module names of the `import` lines of one file (`@testable`, `@_exported`, access
  /// levels and `import struct Foundation.Data` forms included).
  static func imports(in source: String) -> Set<String> {
    let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let", "actor"]
    var modules: Set<String> = []
    for line in source.split(separator: "\n") {
      var words = line.split(separator: " ").map(String.init).filter { !$0.hasPrefix("@") }
      guard let index = words.firstIndex(of: "import"), words[..<index].allSatisfy(Self.isAccessLevel) else { continue }
      words = Array(words[(index + 1)...])
      if let first = words.first, kinds.contains(first) { words.removeFirst() }
      guard let path = words.first else { continue }
      modules.insert(String(path.split(separator: ".")[0]))
    }
    return modules
  }

  static func isAccessLevel(_ word: String) -> Bool {
    ["public", "package", "internal", "private", "fileprivate"].contains(word)
  }

  /// The dependencies Package.swift lists for `target`: target names and product names.
  static func packageDependencies(of target: String) throws -> Set<String> {
    let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
    let declarationStart = #"\.(target|testTarget|executableTarget)\(\s*name: ""# + target + #"","#
    guard let nameRange = manifest.range(of: declarationStart, options: .regularExpression) else {
      Issue.record("Package.swift has no target named \(target)")
      return []
    }
    let rest = manifest[nameRange.upperBound...]
    // The target's own declaration ends where the next one starts.
    let end = rest.range(of: "\n    .")?.lowerBound ?? rest.endIndex
    let declaration = rest[..<end]
    guard let open = declaration.range(of: "dependencies: [") else { return [] }
    var depth = 1
    var index = open.upperBound
    while index < declaration.endIndex, depth > 0 {
      if declaration[index] == "[" { depth += 1 }
      if declaration[index] == "]" { depth -= 1 }
      index = declaration.index(after: index)
    }
    let list = declaration[open.upperBound..<index]
    var names: Set<String> = []
    // `"Target"` entries and `.product(name: "Product", package: "…")` entries.
    for entry in list.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      if entry.hasPrefix("\""), let name = entry.split(separator: "\"").first {
        names.insert(String(name))
      } else if entry.hasPrefix(".product(name: \"") {
        names.insert(String(entry.dropFirst(".product(name: \"".count).prefix { $0 != "\"" }))
      }
    }
    return names
  }

  @Test("source imports stay within the layer", arguments: Self.rules)
  func sourceImports(rule: Rule) throws {
    let imports = try Self.sourceImports(of: rule.module)
    let violations = rule.violations(in: imports)
    #expect(violations.isEmpty, "Sources/\(rule.module) imports \(violations): \(rule.reason)")
  }

  @Test("Package.swift dependencies stay within the layer", arguments: Self.rules)
  func packageDependencies(rule: Rule) throws {
    let dependencies = try Self.packageDependencies(of: rule.module)
    let violations = rule.violations(in: dependencies)
    #expect(violations.isEmpty, "Package.swift gives \(rule.module) \(violations): \(rule.reason)")
  }

  @Test("the readers see what is there: import forms and a known dependency list")
  func readersWork() throws {
    let source = """
      import Foundation
      public import GRPCCore
      @_exported public import CivicWireCore
      @testable import CivicStore
      internal import struct Foundation.Data
      // import NotAnImport is a comment
      let important = "import nothing"
      """
    #expect(Self.imports(in: source) == ["Foundation", "GRPCCore", "CivicWireCore", "CivicStore"])
    let wire = try Self.packageDependencies(of: "CivicWire")
    #expect(wire.contains("CivicWireCore") && wire.contains("NIOPosix"), "\(wire)")
    #expect(try Self.sourceImports(of: "CivicWire").contains("NIOPosix"))
  }
}
