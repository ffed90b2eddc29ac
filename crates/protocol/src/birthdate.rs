//! The child's birthdate: a real calendar date giving an age of 2 to 20 years on the day the
//! signal is sent. Stored as plain numbers that are wiped when dropped.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Youngest age (in whole years) a signal may be about.
pub const MIN_AGE: u32 = 2;
/// Oldest age (in whole years) a signal may be about.
pub const MAX_AGE: u32 = 20;

/// A validated birthdate. Never printed by `Debug`.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct Birthdate {
    year: i32,
    month: u32,
    day: u32,
}

/// Why a birthdate was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BirthdateError {
    #[error("de geboortedatum is geen datum; schrijf hem als 2016-03-07 of 07-03-2016")]
    Unreadable,
    #[error("die geboortedatum bestaat niet in de kalender")]
    NotADate,
    #[error("de geboortedatum ligt in de toekomst")]
    InFuture,
    #[error("het kind moet op de dag van verzenden tussen {MIN_AGE} en {MAX_AGE} jaar oud zijn")]
    AgeOutOfRange,
}

impl Birthdate {
    /// Reads `YYYY-MM-DD` (the wire form) or `DD-MM-YYYY` (how people in the Netherlands write it)
    /// and checks the age on `today`.
    pub fn parse(text: &str, today: NaiveDate) -> Result<Self, BirthdateError> {
        let text = text.trim();
        let parts: Vec<&str> = text.split('-').collect();
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if parts.len() != 3 || !parts.iter().all(|p| numeric(p)) {
            return Err(BirthdateError::Unreadable);
        }
        let (y, m, d) = match (parts[0].len(), parts[1].len(), parts[2].len()) {
            (4, 1..=2, 1..=2) => (parts[0], parts[1], parts[2]),
            (1..=2, 1..=2, 4) => (parts[2], parts[1], parts[0]),
            _ => return Err(BirthdateError::Unreadable),
        };
        let number = |s: &str| s.parse::<u32>().map_err(|_| BirthdateError::Unreadable);
        let year = i32::try_from(number(y)?).map_err(|_| BirthdateError::Unreadable)?;
        Self::from_parts(year, number(m)?, number(d)?, today)
    }

    /// Checks a date given as numbers against the calendar and the age rule on `today`.
    pub fn from_parts(year: i32, month: u32, day: u32, today: NaiveDate) -> Result<Self, BirthdateError> {
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(BirthdateError::NotADate)?;
        if date > today {
            return Err(BirthdateError::InFuture);
        }
        let age = age_on(date, today);
        if !(MIN_AGE..=MAX_AGE).contains(&age) {
            return Err(BirthdateError::AgeOutOfRange);
        }
        Ok(Self { year, month, day })
    }

    pub fn date(&self) -> NaiveDate {
        // Checked at construction.
        NaiveDate::from_ymd_opt(self.year, self.month, self.day).unwrap_or_default()
    }

    /// Whole years of age on `today`.
    pub fn age_on(&self, today: NaiveDate) -> u32 {
        age_on(self.date(), today)
    }

    /// The wire form, `YYYY-MM-DD`.
    pub fn to_iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The Dutch display form, `7 maart 2016`.
    pub fn to_dutch(&self) -> String {
        format!("{} {} {}", self.day, dutch_month(self.month).unwrap_or("?"), self.year)
    }
}

/// The Dutch name of month 1 to 12.
pub fn dutch_month(month: u32) -> Option<&'static str> {
    const MONTHS: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    MONTHS.get(usize::try_from(month).ok()?.checked_sub(1)?).copied()
}

fn age_on(born: NaiveDate, today: NaiveDate) -> u32 {
    let mut age = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    u32::try_from(age).unwrap_or(0)
}

impl fmt::Debug for Birthdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Birthdate(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn reads_both_written_forms() {
        let today = day(2026, 11, 23);
        assert_eq!(Birthdate::parse("2016-03-07", today).unwrap().to_iso(), "2016-03-07");
        assert_eq!(Birthdate::parse("07-03-2016", today).unwrap().to_iso(), "2016-03-07");
        assert_eq!(Birthdate::parse("7-3-2016", today).unwrap().to_dutch(), "7 maart 2016");
    }

    #[test]
    fn refuses_what_is_not_a_real_date() {
        let today = day(2026, 11, 23);
        for bad in ["", "2016/03/07", "07032016", "2016-3", "abc-de-fghi", "+2016-03-07", "2016-03-07-1"] {
            assert_eq!(Birthdate::parse(bad, today).err(), Some(BirthdateError::Unreadable), "{bad}");
        }
        assert_eq!(Birthdate::parse("2015-02-29", today).err(), Some(BirthdateError::NotADate));
        assert_eq!(Birthdate::parse("2016-13-01", today).err(), Some(BirthdateError::NotADate));
        assert!(Birthdate::parse("2016-02-29", today).is_ok(), "leap day exists in 2016");
    }

    #[test]
    fn age_must_be_two_to_twenty_on_the_sending_day() {
        let today = day(2026, 11, 23);
        assert_eq!(Birthdate::parse("2027-01-01", today).err(), Some(BirthdateError::InFuture));
        assert_eq!(Birthdate::parse("2024-11-24", today).err(), Some(BirthdateError::AgeOutOfRange));
        assert!(Birthdate::parse("2024-11-23", today).is_ok(), "turns 2 today");
        assert!(Birthdate::parse("2005-11-24", today).is_ok(), "still 20");
        assert_eq!(Birthdate::parse("2005-11-23", today).err(), Some(BirthdateError::AgeOutOfRange), "21 today");
        assert_eq!(Birthdate::parse("2016-03-07", today).unwrap().age_on(today), 10);
    }

    #[test]
    fn debug_never_shows_the_date() {
        let b = Birthdate::parse("2016-03-07", day(2026, 1, 1)).unwrap();
        assert_eq!(format!("{b:?}"), "Birthdate(..)");
    }
}
