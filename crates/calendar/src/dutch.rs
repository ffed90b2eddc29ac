//! Dates as Dutch people write and say them, for the texts of the office and the school app.

use chrono::{Datelike, NaiveDate};
use hwc_protocol::birthdate::dutch_month;

const DAYS: [&str; 7] = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"];
/// `21-12-2026`.
pub fn dutch_date(day: NaiveDate) -> String {
    day.format("%d-%m-%Y").to_string()
}

/// `maandag 4 januari 2027`.
pub fn spoken_date(day: NaiveDate) -> String {
    let weekday = DAYS[day.weekday().num_days_from_monday() as usize];
    let month = dutch_month(day.month()).unwrap_or_default();
    format!("{weekday} {} {month} {}", day.day(), day.year())
}

/// Why typed days were refused. The messages never repeat what was typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DaysError {
    #[error("datum: gebruik dd-mm-jjjj, zoals 26-10-2026, of een reeks dd-mm-jjjj..dd-mm-jjjj")]
    Date,
    #[error("een reeks dagen loopt van de eerste naar de laatste en is ten hoogste een jaar lang")]
    Range,
    #[error("geef ten minste één datum")]
    Empty,
}

/// Reads days as people type them: dates (`dd-mm-jjjj`, or `jjjj-mm-dd`) and ranges
/// `van..tot` (at most a year long), separated by commas. In the order typed, ranges unrolled.
pub fn parse_days(text: &str) -> Result<Vec<NaiveDate>, DaysError> {
    let one = |t: &str| {
        let t = t.trim();
        NaiveDate::parse_from_str(t, "%d-%m-%Y")
            .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
            .map_err(|_| DaysError::Date)
    };
    let mut days = Vec::new();
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        let (first, last) = match part.split_once("..") {
            Some((a, b)) => (one(a)?, one(b)?),
            None => (one(part)?, one(part)?),
        };
        if last < first || (last - first).num_days() > 366 {
            return Err(DaysError::Range);
        }
        days.extend(first.iter_days().take_while(|d| *d <= last));
    }
    if days.is_empty() {
        return Err(DaysError::Empty);
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_days_and_ranges_are_read_and_bad_ones_refused_without_echo() {
        let day = |d, m, y| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_days(" 26-10-2026 ").unwrap(), [day(26, 10, 2026)]);
        assert_eq!(
            parse_days("2027-02-01..03-02-2027, 26-10-2026").unwrap(),
            [day(1, 2, 2027), day(2, 2, 2027), day(3, 2, 2027), day(26, 10, 2026)]
        );
        assert_eq!(parse_days("31-02-2027"), Err(DaysError::Date));
        assert_eq!(parse_days("26/10/2026"), Err(DaysError::Date));
        assert_eq!(parse_days("03-02-2027..01-02-2027"), Err(DaysError::Range));
        assert_eq!(parse_days("01-01-2027..01-03-2028"), Err(DaysError::Range));
        assert_eq!(parse_days(" , "), Err(DaysError::Empty));
        assert!(!DaysError::Date.to_string().contains("31-02"));
    }

    #[test]
    fn dates_read_the_dutch_way() {
        let day = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        assert_eq!(dutch_date(day), "04-01-2027");
        assert_eq!(spoken_date(day), "maandag 4 januari 2027");
        assert_eq!(spoken_date(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()), "zondag 6 december 2026");
    }
}
