public import CivicProtos
import Foundation
public import SwiftProtobuf

/// Where personal data sits in the messages of Protos/: built once from the descriptor set,
/// it tells the masking step which fields to mask and which message fields lead to more.
///
/// Only messages that reach a marked field, directly or through message fields (repeated,
/// maps and recursion included), have an entry; a response type without one is passed on
/// untouched at the cost of one dictionary lookup per call.
public struct MaskPlan: Sendable {
  /// What to do with one field of a message that leads to personal data.
  public enum Action: Sendable, Hashable {
    /// A string field marked `(civicgrid.v1.personal)`: mask each value by its kind.
    case mask(Civicgrid_V1_PersonalData)
    /// A message field (or map entry) whose type leads to personal data: rewrite inside it.
    case descend(String)
    /// A message field marked `PERSONAL_DATA_POINT`: left out of the answer whole.
    case drop
  }

  /// A descriptor set the plan cannot be built from.
  public struct InvalidDescriptors: Error, CustomStringConvertible {
    public var description: String
  }

  /// Per full message name ("civicgrid.v1.Case"), the fields to act on by field number.
  public let messages: [String: [Int32: Action]]

  /// The plan of the protos this server was built with (Sources/CivicProtos/civicgrid.binpb).
  public static let bundled: MaskPlan = {
    do {
      let data = try ProtoDescriptors.serializedFileDescriptorSet()
      let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: data, extensions: Civicgrid_V1_Privacy_Extensions)
      return try MaskPlan(descriptors: set)
    } catch {
      // The descriptor set is part of the build, not input: serving without knowing where
      // personal data is would hand it out, so the server does not start.
      fatalError("cannot build the personal-data mask plan: \(error)")
    }
  }()

  /// Builds the plan from a descriptor set decoded with `Civicgrid_V1_Privacy_Extensions`
  /// (otherwise the option is an unknown field and nothing is marked).
  ///
  /// - Throws: `InvalidDescriptors` when a marked field is not a string field (a message
  ///   field marked PERSONAL_DATA_POINT excepted, and that kind only there), or is marked
  ///   with PERSONAL_DATA_UNSPECIFIED.
  public init(descriptors: Google_Protobuf_FileDescriptorSet) throws(InvalidDescriptors) {
    var marked: [String: [Int32: Civicgrid_V1_PersonalData]] = [:]
    var dropped: [String: Set<Int32>] = [:]
    var edges: [String: [Int32: String]] = [:]
    func visit(_ message: Google_Protobuf_DescriptorProto, prefix: String) throws(InvalidDescriptors) {
      let name = prefix.isEmpty ? message.name : "\(prefix).\(message.name)"
      for field in message.field {
        if field.options.hasCivicgrid_V1_personal {
          let kind = field.options.Civicgrid_V1_personal
          guard kind != .unspecified else {
            throw InvalidDescriptors(description: "\(name).\(field.name) is marked PERSONAL_DATA_UNSPECIFIED")
          }
          if kind == .point {
            guard field.type == .message else {
              throw InvalidDescriptors(description: "\(name).\(field.name) is marked PERSONAL_DATA_POINT but is not a message field")
            }
            dropped[name, default: []].insert(field.number)
            continue
          }
          guard field.type == .string else {
            throw InvalidDescriptors(description: "\(name).\(field.name) is marked personal but is not a string field")
          }
          marked[name, default: [:]][field.number] = kind
        } else if field.type == .message {
          edges[name, default: [:]][field.number] = String(field.typeName.drop(while: { $0 == "." }))
        }
      }
      for nested in message.nestedType { try visit(nested, prefix: name) }
    }
    for file in descriptors.file {
      for message in file.messageType { try visit(message, prefix: file.package) }
    }

    // Every message that reaches a marked field: grow the set until nothing changes, so
    // cycles (a message containing itself) terminate.
    var leads = Set(marked.keys).union(dropped.keys)
    var changed = true
    while changed {
      changed = false
      for (name, fields) in edges where !leads.contains(name) && fields.values.contains(where: leads.contains) {
        leads.insert(name)
        changed = true
      }
    }
    var messages: [String: [Int32: Action]] = [:]
    for name in leads {
      var actions: [Int32: Action] = [:]
      for (number, kind) in marked[name] ?? [:] { actions[number] = .mask(kind) }
      for number in dropped[name] ?? [] { actions[number] = .drop }
      for (number, type) in edges[name] ?? [:] where leads.contains(type) { actions[number] = .descend(type) }
      messages[name] = actions
    }
    self.messages = messages
  }

  /// True when messages named `messageName` can hold personal data.
  public func leadsToPersonalData(_ messageName: String) -> Bool {
    self.messages[messageName] != nil
  }
}
