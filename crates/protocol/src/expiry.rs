//! Time rules in the school's time zone (Europe/Amsterdam). [`default_expiry`] is the end of the
//! next working day (Monday to Friday, no holidays): what tests and the chaos run use for a
//! short life. The office plans a real signal by the school's calendar (`crates/calendar`).

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Amsterdam;

/// The calendar date in the Netherlands at `at`.
pub fn amsterdam_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Amsterdam).date_naive()
}

/// The next Monday-to-Friday after `day`.
pub fn next_working_day(day: NaiveDate) -> NaiveDate {
    let mut next = day + Days::new(1);
    while matches!(next.weekday(), Weekday::Sat | Weekday::Sun) {
        next = next + Days::new(1);
    }
    next
}

/// End (23:59:59 Dutch time) of the next working day after `sent`.
pub fn default_expiry(sent: DateTime<Utc>) -> DateTime<Utc> {
    end_of_dutch_day(next_working_day(amsterdam_date(sent)))
}

/// 23:59:59 Dutch time on `day`. The clocks change at 02:00 or 03:00, so this time exists
/// exactly once on every date.
pub fn end_of_dutch_day(day: NaiveDate) -> DateTime<Utc> {
    let end = day.and_hms_opt(23, 59, 59).unwrap_or_default();
    Amsterdam
        .from_local_datetime(&end)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&end))
}

/// The first day of the oldest calendar month still kept at `at` when `keep_months` months are
/// kept, the current Dutch month included (`keep_months` 0 counts as 1). Counts of days before
/// it are deleted, at the office and at the relay alike.
pub fn first_kept_day(at: DateTime<Utc>, keep_months: u32) -> NaiveDate {
    let today = amsterdam_date(at);
    let first = today.with_day(1).unwrap_or(today);
    first.checked_sub_months(chrono::Months::new(keep_months.saturating_sub(1))).unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_months_end_with_the_current_dutch_one() {
        let at = |y, m, d, h| Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(first_kept_day(at(2026, 12, 7, 8), 24), day(2025, 1, 1));
        assert_eq!(first_kept_day(at(2026, 12, 7, 8), 1), day(2026, 12, 1));
        assert_eq!(first_kept_day(at(2026, 12, 7, 8), 0), day(2026, 12, 1));
        assert_eq!(first_kept_day(at(2026, 3, 31, 8), 2), day(2026, 2, 1));
        assert_eq!(first_kept_day(at(2026, 12, 7, 8), 120), day(2017, 1, 1));
        // 31 December 23:30 UTC is January in the Netherlands.
        assert_eq!(first_kept_day(at(2026, 12, 31, 23), 1), day(2027, 1, 1));
    }

    #[test]
    fn expiry_is_end_of_next_working_day_in_dutch_time() {
        // Monday 23 November 2026, 17:00 UTC = 18:00 in Amsterdam: expires Tuesday 23:59:59 CET.
        let monday = Utc.with_ymd_and_hms(2026, 11, 23, 17, 0, 0).unwrap();
        assert_eq!(default_expiry(monday), Utc.with_ymd_and_hms(2026, 11, 24, 22, 59, 59).unwrap());
        // Friday evening: expires Monday.
        let friday = Utc.with_ymd_and_hms(2026, 11, 27, 20, 0, 0).unwrap();
        assert_eq!(default_expiry(friday), Utc.with_ymd_and_hms(2026, 11, 30, 22, 59, 59).unwrap());
        // Saturday: also Monday. Summer time: 23:59:59 CEST is 21:59:59 UTC.
        let saturday = Utc.with_ymd_and_hms(2026, 6, 13, 9, 0, 0).unwrap();
        assert_eq!(default_expiry(saturday), Utc.with_ymd_and_hms(2026, 6, 15, 21, 59, 59).unwrap());
        // 23:30 UTC on Sunday is already Monday in Amsterdam: expires Tuesday.
        let late = Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).unwrap();
        assert_eq!(default_expiry(late), Utc.with_ymd_and_hms(2026, 12, 1, 22, 59, 59).unwrap());
    }
}
