/// Where a catalogue item version is in its life.
public enum ItemVersionStatus: String, Sendable, Hashable, Codable {
  case draft, published, suspended, retired
}

/// Names one version of one item: what a case keeps of the item it was taken in with.
public struct ItemRef: Sendable, Hashable, Codable, CustomStringConvertible {
  public let code: String
  public let version: Int

  public init(code: String, version: Int) {
    self.code = code
    self.version = version
  }

  public var description: String { "item \(self.code) v\(self.version)" }
}

/// One version of a catalogue item: a definition and its status.
public struct CatalogItemVersion: Sendable, Hashable, Codable {
  public let version: Int
  public internal(set) var definition: CatalogItemDefinition
  public internal(set) var status: ItemVersionStatus

  public var ref: ItemRef { ItemRef(code: self.definition.code, version: self.version) }

  /// A version as stored; only `CatalogItem`'s transitions create new ones.
  public init(version: Int, definition: CatalogItemDefinition, status: ItemVersionStatus) {
    self.version = version
    self.definition = definition
    self.status = status
  }
}

/// A service item of the catalogue with all its versions.
///
/// Versions go draft → published → suspended ⇄ published → retired (a draft may also be retired).
/// Only a draft is edited; publishing validates it and retires any other live version, so at most
/// one version is published or suspended at a time. Cases refer to a version, which never changes
/// once published.
public struct CatalogItem: Sendable, Hashable, Codable {
  public let code: String
  public private(set) var versions: [CatalogItemVersion] = []

  public init(code: String) throws(DomainError) {
    guard !code.isEmpty else { throw .invalidField("code", "must not be empty") }
    self.code = code
  }

  /// An item as stored, with its versions numbered 1… in order.
  public init(code: String, versions: [CatalogItemVersion]) throws(DomainError) {
    try self.init(code: code)
    for (index, version) in versions.enumerated() where version.version != index + 1 || version.definition.code != code {
      throw .invalidField("versions[\(index)]", "is \(version.ref); expected \(ItemRef(code: code, version: index + 1))")
    }
    self.versions = versions
  }

  /// The version open for intake, if any.
  public var published: CatalogItemVersion? { self.versions.last { $0.status == .published } }

  public func version(_ number: Int) throws(DomainError) -> CatalogItemVersion {
    guard self.versions.indices.contains(number - 1) else { throw .notFound("\(ItemRef(code: self.code, version: number))") }
    return self.versions[number - 1]
  }

  /// Replaces the open draft, or starts a new draft version after the last one; returns its number.
  @discardableResult
  public mutating func saveDraft(_ definition: CatalogItemDefinition) throws(DomainError) -> Int {
    guard definition.code == self.code else { throw .invalidField("code", "is \(definition.code); this item is \(self.code)") }
    if let last = self.versions.last, last.status == .draft {
      self.versions[self.versions.count - 1].definition = definition
      return last.version
    }
    self.versions.append(CatalogItemVersion(version: self.versions.count + 1, definition: definition, status: .draft))
    return self.versions.count
  }

  public mutating func publish(_ number: Int) throws(DomainError) {
    let version = try self.require(number, in: [.draft, .suspended], for: "publish")
    try version.definition.validate()
    for index in self.versions.indices where index != number - 1 && [.published, .suspended].contains(self.versions[index].status) {
      self.versions[index].status = .retired
    }
    self.versions[number - 1].status = .published
  }

  public mutating func suspend(_ number: Int) throws(DomainError) {
    try self.require(number, in: [.published], for: "suspend")
    self.versions[number - 1].status = .suspended
  }

  public mutating func retire(_ number: Int) throws(DomainError) {
    try self.require(number, in: [.draft, .published, .suspended], for: "retire")
    self.versions[number - 1].status = .retired
  }

  @discardableResult
  private func require(_ number: Int, in allowed: [ItemVersionStatus], for action: String) throws(DomainError) -> CatalogItemVersion {
    let version = try self.version(number)
    guard allowed.contains(version.status) else {
      throw .illegalState(subject: "\(version.ref)", state: version.status.rawValue, action: action, allowed: allowed.map(\.rawValue))
    }
    return version
  }
}
