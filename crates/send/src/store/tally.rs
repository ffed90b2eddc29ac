//! The counts for the evaluation: per school, per month of sending and per kind, and for sent
//! and handed-over signals how soon after the incident. Only numbers: no signal id, no day, no
//! hour. Months older than the office's retention (`settings.counts_keep_months`) are deleted
//! whenever the tally is written or read.

use super::Store;
use crate::error::{Result, SendError};
use crate::incident::Within;
use chrono::{DateTime, Datelike};
use hwc_protocol::expiry::{amsterdam_date, first_kept_day};
use hwc_protocol::Brin;
use rusqlite::{params, Connection};

pub use hwc_protocol::api::{
    DEFAULT_STATS_KEEP_MONTHS as DEFAULT_COUNTS_KEEP_MONTHS, MAX_STATS_KEEP_MONTHS as MAX_COUNTS_KEEP_MONTHS,
};

/// What a tally row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TallyKind {
    Sent,
    HandedOver,
    NotOurPupil,
    /// Expired without a receipt: not handed over in time.
    Expired,
    /// A receipt without proof of opening: the office called the school.
    Unproven,
    /// A signal the office had but could not send to the school (recorded by the officer).
    NotForwarded,
}

impl TallyKind {
    fn as_str(self) -> &'static str {
        match self {
            TallyKind::Sent => "sent",
            TallyKind::HandedOver => "handed_over",
            TallyKind::NotOurPupil => "not_our_pupil",
            TallyKind::Expired => "expired",
            TallyKind::Unproven => "unproven",
            TallyKind::NotForwarded => "not_forwarded",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        use TallyKind::*;
        [Sent, HandedOver, NotOurPupil, Expired, Unproven, NotForwarded].into_iter().find(|k| k.as_str() == text)
    }

    /// Whether rows of this kind say how soon after the incident.
    fn timed(self) -> bool {
        matches!(self, TallyKind::Sent | TallyKind::HandedOver)
    }
}

/// One counted cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRow {
    pub school: Brin,
    /// The Dutch calendar month in which the signal was sent (or could not be), `jjjj-mm`.
    pub month: String,
    pub kind: TallyKind,
    /// For sent and handed-over signals: how soon after the incident's hour.
    pub within: Option<Within>,
    pub count: u64,
}

/// `jjjj-mm` of the Dutch date at Unix second `at`.
pub(crate) fn month_of(at: i64) -> String {
    let day = amsterdam_date(DateTime::from_timestamp(at, 0).unwrap_or_default());
    format!("{:04}-{:02}", day.year(), day.month())
}

/// The first month still kept at `now` when `keep` months are kept (the current one counts).
fn first_kept_month(now: i64, keep: u32) -> String {
    let first = first_kept_day(DateTime::from_timestamp(now, 0).unwrap_or_default(), keep);
    format!("{:04}-{:02}", first.year(), first.month())
}

/// Adds `delta` to one cell (never below zero), in the caller's transaction.
pub(crate) fn bump(
    conn: &Connection,
    school: Brin,
    month: &str,
    kind: TallyKind,
    within: Option<Within>,
    delta: i64,
) -> rusqlite::Result<()> {
    let within = match (kind.timed(), within) {
        (true, Some(w)) => w.as_str(),
        (true, None) => Within::Unknown.as_str(),
        (false, _) => "",
    };
    conn.execute(
        "INSERT INTO tally (brin, month, counted, within, count) VALUES (?1, ?2, ?3, ?4, max(?5, 0))
         ON CONFLICT (brin, month, counted, within) DO UPDATE SET count = max(count + ?5, 0)",
        params![school.as_str(), month, kind.as_str(), within, delta],
    )?;
    Ok(())
}

/// Deletes the months no longer kept at `now`, in the caller's transaction.
pub(crate) fn purge(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    let keep: i64 = conn.query_row("SELECT counts_keep_months FROM settings WHERE id = 1", [], |r| r.get(0))?;
    let keep = u32::try_from(keep).unwrap_or(DEFAULT_COUNTS_KEEP_MONTHS);
    conn.execute("DELETE FROM tally WHERE month < ?1", [first_kept_month(now, keep)])
}

impl Store {
    /// Counts a signal the office could not send to `school`, in the month of `now`.
    pub fn note_not_forwarded(&mut self, school: Brin, now: i64) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        purge(&tx, now)?;
        bump(&tx, school, &month_of(now), TallyKind::NotForwarded, None, 1)?;
        tx.commit()?;
        Ok(())
    }

    /// Every kept cell of the tally at `now` (older months are deleted first), by month,
    /// school and kind.
    pub fn tally(&mut self, now: i64) -> Result<Vec<TallyRow>> {
        purge(self.conn(), now)?;
        let mut stmt = self.conn().prepare(
            "SELECT brin, month, counted, within, count FROM tally WHERE count > 0 ORDER BY month, brin, counted, within",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })?;
        let mut cells = Vec::new();
        for row in rows {
            let (school, month, kind, within, count) = row?;
            let bad = || SendError::CorruptState("telling");
            cells.push(TallyRow {
                school: school.parse().map_err(|_| bad())?,
                month,
                kind: TallyKind::parse(&kind).ok_or_else(bad)?,
                within: if within.is_empty() { None } else { Some(Within::parse(&within).ok_or_else(bad)?) },
                count: u64::try_from(count).map_err(|_| bad())?,
            });
        }
        Ok(cells)
    }

    /// How many months the tally is kept.
    pub fn counts_keep_months(&self) -> Result<u32> {
        let keep: i64 =
            self.conn().query_row("SELECT counts_keep_months FROM settings WHERE id = 1", [], |r| r.get(0))?;
        u32::try_from(keep).map_err(|_| SendError::CorruptState("bewaartermijn"))
    }

    /// Sets how many months the tally is kept (1 to [`MAX_COUNTS_KEEP_MONTHS`]); older months
    /// are deleted at once.
    pub fn set_counts_keep_months(&mut self, months: u32, now: i64) -> Result<()> {
        if !(1..=MAX_COUNTS_KEEP_MONTHS).contains(&months) {
            return Err(SendError::CountsKeep { max: MAX_COUNTS_KEEP_MONTHS });
        }
        let tx = self.conn_mut().transaction()?;
        tx.execute("UPDATE settings SET counts_keep_months = ?1 WHERE id = 1", [months])?;
        purge(&tx, now)?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(y: i32, m: u32, d: u32, h: u32) -> i64 {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().timestamp()
    }

    #[test]
    fn the_month_is_the_dutch_one() {
        // 31 December 23:30 UTC is already January in the Netherlands.
        assert_eq!(month_of(at(2026, 12, 31, 23)), "2027-01");
        assert_eq!(month_of(at(2026, 12, 31, 22)), "2026-12");
    }

    #[test]
    fn the_kept_months_end_with_the_current_one() {
        assert_eq!(first_kept_month(at(2026, 12, 7, 8), 24), "2025-01");
        assert_eq!(first_kept_month(at(2026, 12, 7, 8), 1), "2026-12");
        assert_eq!(first_kept_month(at(2026, 3, 31, 8), 2), "2026-02");
        assert_eq!(first_kept_month(at(2026, 12, 7, 8), 120), "2017-01");
    }
}
