public import CivicRepositories

extension AuditChain {
  /// Links `pending` entries (in the order the sequencer takes them) after the chain head:
  /// each gets the next seq, the previous entry's hash as prev_hash, and its own hash.
  public static func seal(
    _ pending: [(id: Int64, record: Entry)],
    after head: (seq: Int64, hash: [UInt8])
  ) -> [(id: Int64, record: Entry)] {
    var (seq, previous) = head
    return pending.map { id, entry in
      var sealed = entry
      seq += 1
      sealed.seq = seq
      sealed.prevHash = previous
      sealed.hash = sealed.expectedHash
      previous = sealed.hash
      return (id: id, record: sealed)
    }
  }
}
