import CivicDomain

/// The 2026 national calendar every table in these tests is worked out against.
let china = WorkingCalendar.china2026

/// A Beijing wall-clock instant: "2026-03-02 10:00" or "2026-03-02 10:00:01".
func at(_ text: String) -> Instant {
  let parts = text.split(separator: " ")
  let date = CivilDate(String(parts[0]))!
  let clock = parts[1].split(separator: ":").map { Int($0)! }
  let seconds = clock[0] * 3_600 + clock[1] * 60 + (clock.count > 2 ? clock[2] : 0)
  return china.instant(date, secondsAfterMidnight: seconds)
}

func day(_ text: String) -> CivilDate { CivilDate(text)! }

let hour = 3_600
