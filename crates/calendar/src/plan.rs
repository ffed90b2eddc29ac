//! When a signal is delivered and when it expires, from the school's calendar: it expires at
//! the end of the first school day after the sending day. When that is further away than an
//! envelope may live (a holiday of more than a week), the envelope is created for the end of
//! the holiday and the relay holds it unseen until then, so the school still has it on its
//! first school day and nothing lives longer than the protocol allows.

use crate::days::SchoolCalendar;
use crate::dutch::dutch_date;
use crate::holidays::{covered_from, covered_until};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use hwc_protocol::envelope::{MAX_HOLD_SECS, MAX_LIFETIME_SECS};
use hwc_protocol::expiry::{amsterdam_date, end_of_dutch_day as end_of};

/// How many days after the sending day a school day is looked for.
pub const MAX_SEARCH_DAYS: u64 = 70;

/// A held envelope is created this long after the latest moment that still fits its lifetime,
/// so it lives a little less than the maximum.
const HOLD_MARGIN_SECS: i64 = 3600;

/// How a signal travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// The envelope's `created_at`: the sending time, or for a held envelope the moment the
    /// relay starts delivering it.
    pub deliver_from: DateTime<Utc>,
    /// 23:59:59 Dutch time on `read_by`.
    pub expires_at: DateTime<Utc>,
    /// The first school day after the sending day.
    pub read_by: NaiveDate,
    /// The relay holds the envelope until `deliver_from`.
    pub held: bool,
    /// The school's zomervakantie lies between sending and `read_by`.
    pub summer: bool,
    /// The holiday data does not reach `read_by`: only weekends, national days and the school's
    /// own days were counted, so the school may still be on holiday then.
    pub beyond_data: bool,
}

/// Why no delivery could be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "de kalender van de school heeft geen schooldag in de {MAX_SEARCH_DAYS} dagen na {}: kijk de vrije dagen van de school na",
        dutch_date(*.from)
    )]
    NoSchoolDay { from: NaiveDate },
    #[error(
        "de school is pas op {} weer open; zo lang kan een signaal niet bewaard worden. Verstuur het in de week voor die dag",
        dutch_date(*.read_by)
    )]
    TooFar { read_by: NaiveDate },
}

/// Plans a signal sent at `sent` to the school with calendar `cal`.
pub fn plan(cal: &SchoolCalendar, sent: DateTime<Utc>) -> Result<Delivery, PlanError> {
    let sending_day = amsterdam_date(sent);
    let read_by = (1..=MAX_SEARCH_DAYS)
        .filter_map(|n| sending_day.checked_add_days(Days::new(n)))
        .find(|day| cal.day(*day).is_open())
        .ok_or(PlanError::NoSchoolDay { from: sending_day })?;
    let expires_at = end_of(read_by);
    let latest_start = expires_at.timestamp() - MAX_LIFETIME_SECS;
    let (deliver_from, held) = if sent.timestamp() >= latest_start {
        (sent, false)
    } else {
        let from = DateTime::from_timestamp(latest_start + HOLD_MARGIN_SECS, 0).unwrap_or(sent);
        if from.timestamp() - sent.timestamp() > MAX_HOLD_SECS {
            return Err(PlanError::TooFar { read_by });
        }
        (from, true)
    };
    let summer = sending_day
        .iter_days()
        .skip(1)
        .take_while(|day| *day < read_by)
        .any(|day| day.weekday().num_days_from_monday() < 5 && cal.in_summer(day));
    let own = cal.region == Some(crate::region::Region::Eigen);
    let beyond_data = !own && (read_by > covered_until(cal.region) || sending_day < covered_from());
    Ok(Delivery { deliver_from, expires_at, read_by, held, summer, beyond_data })
}

#[cfg(test)]
mod tests;
