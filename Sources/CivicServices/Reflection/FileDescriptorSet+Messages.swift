public import SwiftProtobuf

extension Google_Protobuf_FileDescriptorSet {
  /// Every message type the set declares, nested ones included, by full name without the
  /// leading dot (`civicgrid.v1.ListCasesRequest`, `civicgrid.v1.Outer.Inner`).
  public var messagesByFullName: [String: Google_Protobuf_DescriptorProto] {
    var messages: [String: Google_Protobuf_DescriptorProto] = [:]
    func add(_ message: Google_Protobuf_DescriptorProto, scope: String) {
      let name = scope.isEmpty ? message.name : "\(scope).\(message.name)"
      messages[name] = message
      for nested in message.nestedType { add(nested, scope: name) }
    }
    for file in self.file {
      for message in file.messageType { add(message, scope: file.package) }
    }
    return messages
  }
}
