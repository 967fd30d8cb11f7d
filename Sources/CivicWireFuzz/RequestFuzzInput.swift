import CivicProtos

/// How a `requests` fuzz input names its method: the full method name, a line feed, then the
/// request message's bytes as a client sends them. An input without a known name before its
/// first line feed still reaches a method (picked by a hash of the input's first 16 bytes),
/// so no mutation is wasted; the seeds keep naming theirs, so they stay on their method
/// however many rpcs are added.
struct RequestFuzzInput {
  /// Every rpc, sorted by full name.
  static let methods: [String] = MethodRegistry.entries.keys.sorted()

  var method: String
  var body: ArraySlice<UInt8>

  init(_ input: UnsafeRawBufferPointer) {
    let bytes = Array(input)
    if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")),
      let name = String(validating: bytes[..<newline], as: UTF8.self),
      MethodRegistry.entries[name] != nil
    {
      self.method = name
      self.body = bytes[(newline + 1)...]
      return
    }
    // FNV-1a over the first bytes: stable across runs, spread over every method.
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes.prefix(16) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    self.method = Self.methods[Int(hash % UInt64(Self.methods.count))]
    self.body = bytes[...]
  }

  /// The input that sends `body` to `method`.
  static func encode(method: String, body: [UInt8]) -> [UInt8] {
    Array(method.utf8) + [UInt8(ascii: "\n")] + body
  }
}
