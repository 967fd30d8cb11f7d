import CivicStore
import Testing

/// Statement spans are named by `SQLQuery.summary`: keywords and a table, never values.
@Suite("SQLQuery.summary: a statement's name in traces", .timeLimit(.minutes(1)))
struct StatementSummaryTests {
  @Test(
    "the first keyword and the table it works on",
    arguments: [
      ("INSERT INTO audit_log (seq, at) VALUES (1, now())", "INSERT audit_log"),
      ("insert into cases(id) values (1)", "INSERT cases"),
      ("SELECT id, name FROM units WHERE code = 'D01'", "SELECT units"),
      ("SELECT seq, hash FROM audit_head FOR UPDATE", "SELECT audit_head"),
      ("UPDATE ONLY case_warnings SET next_at = now()", "UPDATE case_warnings"),
      ("DELETE FROM public.tokens WHERE expires_at < now()", "DELETE public.tokens"),
      ("  \n  SELECT 1", "SELECT"),
      ("WITH due AS (SELECT id FROM cases) UPDATE cases SET x = 1", "WITH"),
      ("COMMIT", "COMMIT"),
      ("SELECT set_config('statement_timeout', '5', true)", "SELECT"),
      ("SELECT * FROM \"Weird Table\"", "SELECT"),
      ("", "SQL"),
    ]
  )
  func derived(sql: String, expected: String) {
    #expect(SQLQuery(unsafeSQL: sql).summary == expected)
  }

  @Test("interpolated values never reach it; an explicit name wins")
  func valuesAndNames() {
    let idNumber = "110101195001011234"
    let query: SQLQuery = "SELECT id FROM applicants WHERE id_number = \(idNumber)"
    #expect(query.summary == "SELECT applicants")
    #expect(!query.summary.contains(idNumber))
    let valueFirst: SQLQuery = "SELECT \(idNumber)::text, name FROM applicants"
    #expect(valueFirst.summary == "SELECT applicants")
    let tableless: SQLQuery = "SELECT \(idNumber)::text"
    #expect(tableless.summary == "SELECT")
    #expect(query.named("applicant by id number").summary == "applicant by id number")
  }
}
