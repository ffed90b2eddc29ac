//! The sweep: held envelopes whose time has come are released to their school's devices;
//! envelopes nobody acknowledged in time are deleted and reported to their office; tombstones,
//! nonces and old enrollment codes that no longer matter are deleted.

use super::{nonces, signals, stats, StoreError};
use hwc_protocol::Brin;
use rusqlite::{params, Connection};

/// Unused or used enrollment codes are kept this long after their expiry, then forgotten.
pub(crate) const ENROLLMENT_KEEP_SECS: i64 = 30 * 24 * 3600;

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Schools whose envelopes expired (their devices' inboxes changed).
    pub expired_schools: Vec<Brin>,
    /// Schools for which a held envelope was released (their long-polls are woken).
    pub released_schools: Vec<Brin>,
    pub expired: usize,
    pub tombstones: usize,
    pub nonces: usize,
}

/// Runs one sweep at `now` in one transaction, held envelopes released first.
pub fn run(conn: &mut Connection, now: i64) -> Result<SweepReport, StoreError> {
    sweep(conn, now, true)
}

/// [`run`] without releasing held envelopes, for a caller that cannot wake the devices waiting
/// for them (reading the office's items).
pub fn expire(conn: &mut Connection, now: i64) -> Result<SweepReport, StoreError> {
    sweep(conn, now, false)
}

fn sweep(conn: &mut Connection, now: i64, release: bool) -> Result<SweepReport, StoreError> {
    let tx = conn.savepoint()?;
    let expired: Vec<(String, String, String, i64)> = {
        let mut stmt =
            tx.prepare_cached("SELECT signal_id, school, office, expires_at FROM signals WHERE expires_at <= ?1")?;
        let rows = stmt.query_map([now], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut report = SweepReport { expired: expired.len(), ..SweepReport::default() };
    // A held envelope's lifetime starts at its release, so it is only in `expired` when the
    // sweep did not run for a week; then its event is appended and deleted again below.
    if release {
        for school in signals::release_held(&tx, now)? {
            report.released_schools.push(super::parse_col(&school, "school")?);
        }
    }
    for (signal_id, school, office, expires_at) in &expired {
        signals::delete(&tx, signal_id)?;
        tx.execute(
            "INSERT INTO office_items (office, kind, school, signal_id, receipt, expired_at) VALUES (?1, 'expired', ?2, ?3, NULL, ?4)",
            params![office, school, signal_id, expires_at],
        )?;
        stats::bump(&tx, office, stats::EXPIRED)?;
        let brin: Brin = super::parse_col(school, "school")?;
        if !report.expired_schools.contains(&brin) {
            report.expired_schools.push(brin);
        }
    }
    tx.execute(
        "DELETE FROM events WHERE kind = 'handled' AND signal_id IN (SELECT signal_id FROM handled WHERE keep_until <= ?1)",
        [now],
    )?;
    tx.execute(
        "DELETE FROM handled_copies WHERE signal_id IN (SELECT signal_id FROM handled WHERE keep_until <= ?1)",
        [now],
    )?;
    report.tombstones = tx.execute("DELETE FROM handled WHERE keep_until <= ?1", [now])?;
    report.nonces = nonces::purge(&tx, now)?;
    stats::purge(&tx, now)?;
    tx.execute("DELETE FROM enrollments WHERE expires_at <= ?1", [now.saturating_sub(ENROLLMENT_KEEP_SECS)])?;
    tx.commit()?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    #[test]
    fn sweep_forgets_old_tombstones_and_nonces_only() {
        let (_dir, store) = temp_store();
        let sid = "0123456789abcdef0123456789abcdef";
        let dev = "fedcba9876543210fedcba9876543210";
        let mut conn = rusqlite::Connection::open(store.path()).unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO handled VALUES ('{sid}', '12AB', 'office', '{dev}', 50, 100, 'h', NULL);
             INSERT INTO handled_copies VALUES ('{sid}', '{dev}');
             INSERT INTO events (school, kind, signal_id, by_device, at) VALUES ('12AB', 'handled', '{sid}', '{dev}', 50);"
        ))
        .unwrap();
        assert!(nonces::remember(&conn, "device x", &[1; 16], 100).unwrap());
        assert!(!nonces::remember(&conn, "device x", &[1; 16], 100).unwrap());
        assert!(nonces::remember(&conn, "device y", &[1; 16], 100).unwrap());

        let early = run(&mut conn, 99).unwrap();
        assert_eq!((early.tombstones, early.nonces, early.expired), (0, 0, 0));
        let later = run(&mut conn, 100 + nonces::KEEP_SECS).unwrap();
        assert_eq!((later.tombstones, later.nonces), (1, 2));
        let events: i64 = conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap();
        let copies: i64 = conn.query_row("SELECT COUNT(*) FROM handled_copies", [], |r| r.get(0)).unwrap();
        assert_eq!((events, copies), (0, 0));
    }
}
