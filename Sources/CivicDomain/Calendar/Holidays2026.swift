extension WorkingCalendar {
  /// China's national calendar for 2026: weekends, the public holidays and the swapped working
  /// days (调休上班) of 国务院办公厅关于2026年部分节假日安排的通知 (State Council General Office,
  /// 4 November 2025), business hours 09:00–12:00 and 13:30–17:30, UTC+08:00.
  ///
  /// Checked against the notice's text as republished by Xinhua (politics.gmw.cn, 2025-11-04) and
  /// 中山日报 (2025-11-05): every date below appears there; none is inferred.
  public static var china2026: WorkingCalendar {
    try! WorkingCalendar(
      jurisdiction: "CN",
      holidays: Holidays2026.holidays,
      swappedWorkingDays: Holidays2026.swappedWorkingDays
    )
  }
}

/// The 2026 dates of the State Council notice, kept as data so that tests can cite them.
public enum Holidays2026 {
  /// (first day, last day, name) of each holiday period, both ends included.
  public static let periods: [(first: String, last: String, name: String)] = [
    ("2026-01-01", "2026-01-03", "元旦 New Year's Day"),
    ("2026-02-15", "2026-02-23", "春节 Spring Festival"),
    ("2026-04-04", "2026-04-06", "清明节 Qingming Festival"),
    ("2026-05-01", "2026-05-05", "劳动节 Labour Day"),
    ("2026-06-19", "2026-06-21", "端午节 Dragon Boat Festival"),
    ("2026-09-25", "2026-09-27", "中秋节 Mid-Autumn Festival"),
    ("2026-10-01", "2026-10-07", "国庆节 National Day"),
  ]

  /// Weekend days worked to make up for a holiday (调休上班).
  public static let swaps: [(date: String, name: String)] = [
    ("2026-01-04", "元旦 New Year's Day"),
    ("2026-02-14", "春节 Spring Festival"),
    ("2026-02-28", "春节 Spring Festival"),
    ("2026-05-09", "劳动节 Labour Day"),
    ("2026-09-20", "国庆节 National Day"),
    ("2026-10-10", "国庆节 National Day"),
  ]

  public static var holidays: [CivilDate: String] {
    var result: [CivilDate: String] = [:]
    for period in Self.periods {
      var day = CivilDate(period.first)!
      let last = CivilDate(period.last)!
      while day <= last {
        result[day] = period.name
        day = day.adding(days: 1)
      }
    }
    return result
  }

  public static var swappedWorkingDays: [CivilDate: String] {
    Dictionary(uniqueKeysWithValues: Self.swaps.map { (CivilDate($0.date)!, $0.name) })
  }
}
