//! The date and hour of the incident, which the office may enter when it sends a signal, and
//! nothing finer: only to count how soon after the incident the school had the signal (the
//! 24/48/72-hour figures of the evaluation). It never leaves the office. It is kept beside the
//! outstanding signal (id, school, times) until the signal is settled; then only its bucket is
//! counted ([`Within`]) and the hour is deleted with the row.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;

/// An incident longer ago than this is refused: a signal is meant for the next school day.
pub const MAX_INCIDENT_AGE_DAYS: i64 = 31;

/// The start of the incident's hour, in Dutch time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct IncidentHour(DateTime<Utc>);

/// Why a typed incident date and hour was refused. The text names the rule, never the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IncidentError {
    #[error("datum en uur van het incident: gebruik dd-mm-jjjj uu, zoals 05-12-2026 22")]
    Shape,
    #[error("datum en uur van het incident: die datum of dat uur bestaat niet")]
    NoSuchHour,
    #[error(
        "datum en uur van het incident: dat uur bestaat niet in Nederland (de klok ging die nacht een uur vooruit)"
    )]
    SkippedHour,
    #[error("datum en uur van het incident liggen in de toekomst")]
    Future,
    #[error("het incident ligt meer dan {MAX_INCIDENT_AGE_DAYS} dagen terug; controleer de datum")]
    TooOld,
}

impl IncidentHour {
    /// Reads `dd-mm-jjjj uu` (also `d-m-jjjj`, `jjjj-mm-dd`, `uu:mm` or `uu.mm`, of which the
    /// minutes are dropped) as a Dutch date and hour, which must lie between
    /// [`MAX_INCIDENT_AGE_DAYS`] ago and the current hour of `now`.
    pub fn parse(text: &str, now: DateTime<Utc>) -> Result<Self, IncidentError> {
        let mut parts = text.split_whitespace();
        let (Some(day), Some(hour), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(IncidentError::Shape);
        };
        let day = parse_day(day)?;
        let hour = parse_hour(hour)?;
        let local = day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).ok_or(IncidentError::NoSuchHour)?);
        // The hour that occurs twice when the clocks go back: the first one.
        let start = Amsterdam.from_local_datetime(&local).earliest().ok_or(IncidentError::SkippedHour)?;
        let start = start.with_timezone(&Utc);
        if start > now {
            return Err(IncidentError::Future);
        }
        if now - start > Duration::days(MAX_INCIDENT_AGE_DAYS) {
            return Err(IncidentError::TooOld);
        }
        Ok(Self(start))
    }

    /// The moment the incident's hour began.
    pub fn start(self) -> DateTime<Utc> {
        self.0
    }

    /// As stored beside an outstanding signal.
    pub fn timestamp(self) -> i64 {
        self.0.timestamp()
    }
}

fn parse_day(text: &str) -> Result<NaiveDate, IncidentError> {
    let fields: Vec<&str> = text.split('-').collect();
    let number = |t: &str| -> Result<u32, IncidentError> {
        if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IncidentError::Shape);
        }
        t.parse().map_err(|_| IncidentError::Shape)
    };
    let (year, month, day) = match fields.as_slice() {
        [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => (number(y)?, number(m)?, number(d)?),
        [y, m, d] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => (number(y)?, number(m)?, number(d)?),
        _ => return Err(IncidentError::Shape),
    };
    let year = i32::try_from(year).map_err(|_| IncidentError::Shape)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(IncidentError::NoSuchHour)
}

fn parse_hour(text: &str) -> Result<u32, IncidentError> {
    let hour = match text.split_once([':', '.']) {
        Some((hour, minutes)) => {
            if minutes.len() != 2 || !minutes.bytes().all(|b| b.is_ascii_digit()) || minutes > "59" {
                return Err(IncidentError::Shape);
            }
            hour
        }
        None => text,
    };
    if hour.is_empty() || hour.len() > 2 || !hour.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IncidentError::Shape);
    }
    let hour: u32 = hour.parse().map_err(|_| IncidentError::Shape)?;
    if hour > 23 {
        return Err(IncidentError::NoSuchHour);
    }
    Ok(hour)
}

/// How soon after the incident's hour began something happened: the buckets the Brabant
/// manual asks for. `Unknown` when the office entered no incident hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Within {
    Day,
    TwoDays,
    ThreeDays,
    Later,
    Unknown,
}

impl Within {
    /// The bucket of `at` (Unix seconds) for an incident hour that began at `incident` (Unix
    /// seconds). A moment before the incident (a device's clock that runs behind) counts as
    /// within the first day.
    pub fn of(incident: Option<i64>, at: i64) -> Self {
        let Some(incident) = incident else { return Within::Unknown };
        let hours = at.saturating_sub(incident) / 3600;
        match hours {
            h if h < 24 => Within::Day,
            h if h < 48 => Within::TwoDays,
            h if h < 72 => Within::ThreeDays,
            _ => Within::Later,
        }
    }

    /// As stored in the office's tally.
    pub fn as_str(self) -> &'static str {
        match self {
            Within::Day => "24h",
            Within::TwoDays => "48h",
            Within::ThreeDays => "72h",
            Within::Later => "later",
            Within::Unknown => "unknown",
        }
    }

    /// The inverse of [`Within::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [Within::Day, Within::TwoDays, Within::ThreeDays, Within::Later, Within::Unknown]
            .into_iter()
            .find(|w| w.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn a_dutch_date_and_hour_is_the_start_of_that_hour_in_dutch_time() {
        let now = utc(2026, 12, 7, 7, 0);
        // 22:00 in winter is 21:00 UTC.
        for text in ["05-12-2026 22", "5-12-2026 22", "2026-12-05 22", "05-12-2026 22:45", " 05-12-2026  22.10 "] {
            assert_eq!(IncidentHour::parse(text, now).unwrap().start(), utc(2026, 12, 5, 21, 0), "{text}");
        }
        // Summer time: 22:00 is 20:00 UTC.
        assert_eq!(
            IncidentHour::parse("01-07-2026 22", utc(2026, 7, 2, 6, 0)).unwrap().start(),
            utc(2026, 7, 1, 20, 0)
        );
        // The current hour is allowed; the next one is not.
        assert_eq!(IncidentHour::parse("07-12-2026 08", now).unwrap().start(), utc(2026, 12, 7, 7, 0));
        assert_eq!(IncidentHour::parse("07-12-2026 09", now), Err(IncidentError::Future));
    }

    #[test]
    fn what_is_not_a_plausible_incident_hour_is_refused_with_the_rule() {
        let now = utc(2026, 12, 7, 7, 0);
        for text in [
            "",
            "05-12-2026",
            "05-12-2026 22 uur",
            "05/12/2026 22",
            "05-12-26 22",
            "2026-12-05T22",
            "x-12-2026 22",
            "05-12-2026 2a",
            "05-12-2026 22:5",
            "05-12-2026 22:60",
            "05-12-2026 123",
        ] {
            assert_eq!(IncidentHour::parse(text, now), Err(IncidentError::Shape), "{text:?}");
        }
        for text in ["31-11-2026 10", "29-02-2026 10", "05-12-2026 24"] {
            assert_eq!(IncidentHour::parse(text, now), Err(IncidentError::NoSuchHour), "{text:?}");
        }
        // 29 March 2026, 02:00 to 03:00 does not exist in the Netherlands.
        assert_eq!(IncidentHour::parse("29-03-2026 02", utc(2026, 3, 30, 8, 0)), Err(IncidentError::SkippedHour));
        // 25 October 2026, 02:00 occurs twice: the first (00:00 UTC).
        assert_eq!(
            IncidentHour::parse("25-10-2026 02", utc(2026, 10, 26, 8, 0)).unwrap().start(),
            utc(2026, 10, 25, 0, 0)
        );
        assert_eq!(IncidentHour::parse("05-11-2026 22", now), Err(IncidentError::TooOld));
        assert!(IncidentHour::parse("06-11-2026 22", now).is_ok());
        assert_eq!(IncidentHour::parse("05-12-2027 22", now), Err(IncidentError::Future));
        // The messages name the rule, never what was typed.
        let err = IncidentHour::parse("05-13-2026 22", now).unwrap_err().to_string();
        assert!(!err.contains("13"), "{err}");
    }

    #[test]
    fn the_buckets_count_whole_hours_since_the_incident_hour_began() {
        let incident = utc(2026, 12, 5, 21, 0).timestamp();
        let after = |hours: i64, secs: i64| incident + hours * 3600 + secs;
        assert_eq!(Within::of(Some(incident), after(0, -600)), Within::Day);
        assert_eq!(Within::of(Some(incident), after(23, 3599)), Within::Day);
        assert_eq!(Within::of(Some(incident), after(24, 0)), Within::TwoDays);
        assert_eq!(Within::of(Some(incident), after(47, 3599)), Within::TwoDays);
        assert_eq!(Within::of(Some(incident), after(48, 0)), Within::ThreeDays);
        assert_eq!(Within::of(Some(incident), after(72, 0)), Within::Later);
        assert_eq!(Within::of(None, after(1, 0)), Within::Unknown);
        for w in [Within::Day, Within::TwoDays, Within::ThreeDays, Within::Later, Within::Unknown] {
            assert_eq!(Within::parse(w.as_str()), Some(w));
        }
        assert_eq!(Within::parse(""), None);
    }
}
