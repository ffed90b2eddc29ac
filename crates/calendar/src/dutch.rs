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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_the_dutch_way() {
        let day = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        assert_eq!(dutch_date(day), "04-01-2027");
        assert_eq!(spoken_date(day), "maandag 4 januari 2027");
        assert_eq!(spoken_date(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()), "zondag 6 december 2026");
    }
}
