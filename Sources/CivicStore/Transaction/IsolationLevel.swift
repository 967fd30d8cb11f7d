/// A PostgreSQL transaction isolation level, named by the caller of `transaction`.
public enum IsolationLevel: String, Sendable, CaseIterable {
  case readCommitted = "READ COMMITTED"
  case repeatableRead = "REPEATABLE READ"
  case serializable = "SERIALIZABLE"
}
