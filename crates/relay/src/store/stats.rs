//! Counters per office, nothing more: signals sent per Dutch day, acknowledgements by delay,
//! expired signals and "not our pupil" receipts. The per-day counts are kept for the months the
//! office set (`POST /v1/stats/retention`; two years when it set nothing), then deleted.

use super::StoreError;
use hwc_protocol::api::{AckBuckets, DayCount, Stats, DEFAULT_STATS_KEEP_MONTHS};
use hwc_protocol::OfficePublicKey;
use rusqlite::{params, Connection};

pub const EXPIRED: &str = "expired";
pub const NOT_OUR_PUPIL: &str = "not_our_pupil";

/// Counts one signal sent by `office` on Dutch day `day` (`YYYY-MM-DD`).
pub fn count_sent(conn: &Connection, office: &OfficePublicKey, day: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO stats_sent (office, day, count) VALUES (?1, ?2, 1)
         ON CONFLICT (office, day) DO UPDATE SET count = count + 1",
        params![office.to_string(), day],
    )?;
    Ok(())
}

/// Adds one to a named counter (an acknowledgement bucket, [`EXPIRED`] or [`NOT_OUR_PUPIL`]).
pub fn bump(conn: &Connection, office: &str, name: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO stats_counts (office, name, count) VALUES (?1, ?2, 1)
         ON CONFLICT (office, name) DO UPDATE SET count = count + 1",
        params![office, name],
    )?;
    Ok(())
}

/// The first day (`YYYY-MM-DD`) whose per-day count is kept at `now` for `keep_months`.
pub(crate) fn first_kept_day(now: i64, keep_months: u32) -> String {
    let at = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
    hwc_protocol::expiry::first_kept_day(at, keep_months).format("%Y-%m-%d").to_string()
}

/// Sets how many months `office`'s per-day counts are kept, and deletes older ones at once.
pub fn set_retention(
    conn: &Connection,
    office: &OfficePublicKey,
    keep_months: u32,
    now: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO stats_retention (office, keep_months) VALUES (?1, ?2)
         ON CONFLICT (office) DO UPDATE SET keep_months = excluded.keep_months",
        params![office.to_string(), keep_months],
    )?;
    purge(conn, now)?;
    Ok(())
}

/// Deletes every office's per-day counts older than it keeps them; how many days went.
pub fn purge(conn: &Connection, now: i64) -> Result<usize, StoreError> {
    let mut deleted = conn.execute(
        "DELETE FROM stats_sent WHERE day < ?1 AND office NOT IN (SELECT office FROM stats_retention)",
        [first_kept_day(now, DEFAULT_STATS_KEEP_MONTHS)],
    )?;
    let offices: Vec<(String, u32)> = {
        let mut stmt = conn.prepare_cached("SELECT office, keep_months FROM stats_retention")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (office, keep) in offices {
        deleted += conn.execute(
            "DELETE FROM stats_sent WHERE office = ?1 AND day < ?2",
            params![office, first_kept_day(now, keep)],
        )?;
    }
    Ok(deleted)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

/// The counts of one office.
pub fn read(conn: &Connection, office: &OfficePublicKey) -> Result<Stats, StoreError> {
    let office = office.to_string();
    let mut stats =
        Stats { sent_per_day: Vec::new(), acknowledged: AckBuckets::default(), expired: 0, not_our_pupil: 0 };
    let mut stmt = conn.prepare_cached("SELECT day, count FROM stats_sent WHERE office = ?1 ORDER BY day")?;
    let days = stmt.query_map([&office], |row| Ok(DayCount { day: row.get(0)?, count: count(row.get(1)?) }))?;
    stats.sent_per_day = days.collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached("SELECT name, count FROM stats_counts WHERE office = ?1")?;
    let mut rows = stmt.query([&office])?;
    while let Some(row) = rows.next()? {
        let name: String = row.get(0)?;
        set_counter(&mut stats, &name, count(row.get(1)?))?;
    }
    Ok(stats)
}

/// Puts the stored counter `name` into `stats`.
pub(crate) fn set_counter(stats: &mut Stats, name: &str, n: u64) -> Result<(), StoreError> {
    let b = &mut stats.acknowledged;
    match name {
        "within_1h" => b.within_1h = n,
        "within_4h" => b.within_4h = n,
        "within_24h" => b.within_24h = n,
        "within_48h" => b.within_48h = n,
        "within_72h" => b.within_72h = n,
        "later" => b.later = n,
        EXPIRED => stats.expired = n,
        NOT_OUR_PUPIL => stats.not_our_pupil = n,
        _ => return Err(StoreError::Corrupt("counter name")),
    }
    Ok(())
}
