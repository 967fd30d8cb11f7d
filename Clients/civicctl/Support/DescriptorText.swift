import Foundation
import SwiftProtobuf

/// What `civicctl describe` prints, from the file descriptors a server's reflection answered:
/// a service's methods with their types, a method's signature, a message's fields or an
/// enum's values. Pure; the command fetches the files.
struct DescriptorText {
  let files: [Google_Protobuf_FileDescriptorProto]

  /// What a fully qualified name ("pkg.Service", "pkg.Service.Method" or "pkg.Service/Method",
  /// "pkg.Message", "pkg.Enum") denotes in the files, as lines; nil when nothing there has it.
  func describe(_ symbol: String) -> [String]? {
    let name = symbol.replacingOccurrences(of: "/", with: ".")
    for file in self.files {
      for service in file.service {
        let full = Self.qualified(service.name, in: file.package)
        if full == name {
          return ["service \(full) (\(file.name))"] + service.method.map { "  " + Self.signature($0) }
        }
        for method in service.method where "\(full).\(method.name)" == name {
          return ["\(full)/" + Self.signature(method)]
        }
      }
    }
    if let (message, file) = self.message(name) {
      return ["message \(name) (\(file))"] + message.field.map { "  " + Self.field($0) }
    }
    if let (enumeration, file) = self.enumeration(name) {
      return ["enum \(name) (\(file))"] + enumeration.value.map { "  \($0.name) = \($0.number)" }
    }
    return nil
  }

  /// "SubmitApplication(civicgrid.v1.SubmitApplicationRequest) returns (stream …)".
  static func signature(_ method: Google_Protobuf_MethodDescriptorProto) -> String {
    let input = (method.clientStreaming ? "stream " : "") + Self.bare(method.inputType)
    let output = (method.serverStreaming ? "stream " : "") + Self.bare(method.outputType)
    return "\(method.name)(\(input)) returns (\(output))"
  }

  /// "repeated string tags = 4", as the field would read in its .proto file.
  static func field(_ field: Google_Protobuf_FieldDescriptorProto) -> String {
    let type: String
    switch field.type {
    case .message, .enum, .group: type = Self.bare(field.typeName)
    default: type = Self.scalarNames[field.type] ?? "\(field.type)"
    }
    let label = field.label == .repeated ? "repeated " : (field.proto3Optional ? "optional " : "")
    return "\(label)\(type) \(field.name) = \(field.number)"
  }

  private static let scalarNames: [Google_Protobuf_FieldDescriptorProto.TypeEnum: String] = [
    .double: "double", .float: "float", .int64: "int64", .uint64: "uint64", .int32: "int32",
    .fixed64: "fixed64", .fixed32: "fixed32", .bool: "bool", .string: "string", .bytes: "bytes",
    .uint32: "uint32", .sfixed32: "sfixed32", .sfixed64: "sfixed64", .sint32: "sint32", .sint64: "sint64",
  ]

  private func message(_ name: String) -> (Google_Protobuf_DescriptorProto, String)? {
    func find(_ messages: [Google_Protobuf_DescriptorProto], in scope: String) -> Google_Protobuf_DescriptorProto? {
      for message in messages {
        let full = Self.qualified(message.name, in: scope)
        if full == name { return message }
        if let nested = find(message.nestedType, in: full) { return nested }
      }
      return nil
    }
    for file in self.files {
      if let found = find(file.messageType, in: file.package) { return (found, file.name) }
    }
    return nil
  }

  private func enumeration(_ name: String) -> (Google_Protobuf_EnumDescriptorProto, String)? {
    func find(_ messages: [Google_Protobuf_DescriptorProto], in scope: String) -> Google_Protobuf_EnumDescriptorProto? {
      for message in messages {
        let full = Self.qualified(message.name, in: scope)
        if let found = message.enumType.first(where: { Self.qualified($0.name, in: full) == name }) { return found }
        if let nested = find(message.nestedType, in: full) { return nested }
      }
      return nil
    }
    for file in self.files {
      if let found = file.enumType.first(where: { Self.qualified($0.name, in: file.package) == name }) { return (found, file.name) }
      if let found = find(file.messageType, in: file.package) { return (found, file.name) }
    }
    return nil
  }

  private static func qualified(_ name: String, in scope: String) -> String {
    scope.isEmpty ? name : "\(scope).\(name)"
  }

  private static func bare(_ typeName: String) -> String {
    typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
  }
}
