public import Foundation
public import SwiftProtobuf

/// The look-ups server reflection answers, over one `FileDescriptorSet`: files by name, the
/// file declaring a symbol or an extension, and a message's extension numbers.
///
/// Pure: built once from the bundled descriptor set (`ProtoDescriptors`), then read only.
public struct DescriptorIndex: Sendable {
  /// Serialized `FileDescriptorProto`s by file name ("civicgrid/v1/cases.proto").
  private let files: [String: Data]
  /// Each file's direct imports, in declaration order.
  private let imports: [String: [String]]
  /// Fully qualified symbol (no leading dot) to the file declaring it: packages' services,
  /// methods ("pkg.Service.Method"), messages, enums and extensions, nested ones included.
  private let symbols: [String: String]
  /// Extended message (no leading dot) to its extensions' field numbers and declaring files.
  private let extensions: [String: [Int32: String]]
  /// Every message type declared, so an extendee with no extensions is told from an unknown one.
  private let messages: Set<String>

  public init(descriptors: Google_Protobuf_FileDescriptorSet) throws {
    var files: [String: Data] = [:]
    var imports: [String: [String]] = [:]
    var symbols: [String: String] = [:]
    var extensions: [String: [Int32: String]] = [:]
    var messages: Set<String> = []

    for file in descriptors.file {
      files[file.name] = try file.serializedBytes()
      imports[file.name] = file.dependency
      let scope = file.package

      func qualified(_ name: String, in scope: String) -> String {
        scope.isEmpty ? name : "\(scope).\(name)"
      }
      func declare(_ field: Google_Protobuf_FieldDescriptorProto, in scope: String) {
        symbols[qualified(field.name, in: scope)] = file.name
        let extendee = field.extendee.hasPrefix(".") ? String(field.extendee.dropFirst()) : field.extendee
        extensions[extendee, default: [:]][field.number] = file.name
      }
      func visit(_ message: Google_Protobuf_DescriptorProto, in scope: String) {
        let name = qualified(message.name, in: scope)
        symbols[name] = file.name
        messages.insert(name)
        for nested in message.nestedType { visit(nested, in: name) }
        for enumeration in message.enumType { symbols[qualified(enumeration.name, in: name)] = file.name }
        for field in message.extension { declare(field, in: name) }
      }

      for message in file.messageType { visit(message, in: scope) }
      for enumeration in file.enumType { symbols[qualified(enumeration.name, in: scope)] = file.name }
      for field in file.extension { declare(field, in: scope) }
      for service in file.service {
        let name = qualified(service.name, in: scope)
        symbols[name] = file.name
        for method in service.method { symbols["\(name).\(method.name)"] = file.name }
      }
    }
    self.files = files
    self.imports = imports
    self.symbols = symbols
    self.extensions = extensions
    self.messages = messages
  }

  /// The file named and every file it imports, directly or not, each once, the named file
  /// first; nil for an unknown name.
  public func fileWithDependencies(named name: String) -> [Data]? {
    guard self.files[name] != nil else { return nil }
    var seen: Set<String> = []
    var order: [String] = []
    var pending = [name]
    while let next = pending.popLast() {
      guard seen.insert(next).inserted else { continue }
      order.append(next)
      pending.append(contentsOf: (self.imports[next] ?? []).reversed())
    }
    return order.compactMap { self.files[$0] }
  }

  /// The file declaring a fully qualified symbol (a leading dot is accepted).
  public func file(declaring symbol: String) -> String? {
    self.symbols[symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol]
  }

  /// The file declaring extension `number` of message `extendee`.
  public func file(extending extendee: String, number: Int32) -> String? {
    self.extensions[Self.bare(extendee)]?[number]
  }

  /// The field numbers of the extensions of a message type, ascending (empty when it has
  /// none, as grpc-go and grpc C++ answer); nil when no such message type is known.
  public func extensionNumbers(of extendee: String) -> [Int32]? {
    let name = Self.bare(extendee)
    guard self.messages.contains(name) else { return nil }
    return (self.extensions[name] ?? [:]).keys.sorted()
  }

  private static func bare(_ name: String) -> String {
    name.hasPrefix(".") ? String(name.dropFirst()) : name
  }
}
