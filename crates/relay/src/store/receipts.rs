//! Acknowledging a signal with a device's receipt: the envelope and every copy go, a tombstone
//! and a `handled` event take their place, and the receipt is queued for the office.
//!
//! The receipt's time is the device's claim. The relay passes the signed receipt on to the
//! office unchanged, but for the colleague's `handled.at` and the acknowledgement-delay counts it
//! uses that time clamped to `[signal created_at, relay now]`.

use super::{signals, stats, StoreError};
use hwc_protocol::api::AckBuckets;
use hwc_protocol::{Brin, ReceiptKind, VerifiedReceipt};
use rusqlite::{params, Connection, OptionalExtension};

/// What a receipt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckOutcome {
    /// This receipt handled the signal.
    First,
    /// The signal had already been handled (by this device or a colleague).
    Repeat,
    /// No such signal for this device of this school.
    NotFound,
    /// The signal is still stored but its `expires_at` has passed (the sweep has not run yet).
    Expired,
}

/// The receipt time the relay records: the device's `claimed` time, no earlier than the
/// signal's creation and no later than `now`. When the envelope was created after `now` (the
/// office's clock runs slightly ahead), it is the creation time, so the delay is never negative.
pub(crate) fn recorded_time(claimed: i64, created_at: i64, now: i64) -> i64 {
    claimed.min(now).max(created_at)
}

/// Applies `receipt` (already verified against the device's key) for a device of `school` at
/// relay time `now`. A signal whose `expires_at <= now` is not acknowledged.
pub fn acknowledge(
    conn: &mut Connection,
    school: &Brin,
    receipt: &VerifiedReceipt,
    now: i64,
) -> Result<AckOutcome, StoreError> {
    let r = &receipt.receipt;
    let signal_id = r.signal_id.to_string();
    let device_id = r.device_id.to_string();
    let tx = conn.savepoint()?;
    let waiting: Option<(String, i64, i64, String)> = tx
        .query_row(
            "SELECT s.office, s.created_at, s.expires_at, s.envelope_hash FROM signals s
             JOIN signal_copies c ON c.signal_id = s.signal_id AND c.device_id = ?3
             WHERE s.signal_id = ?1 AND s.school = ?2",
            params![signal_id, school.as_str(), device_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    let Some((office, created_at, expires_at, hash)) = waiting else {
        let handled: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM handled h JOIN handled_copies c ON c.signal_id = h.signal_id AND c.device_id = ?3
                 WHERE h.signal_id = ?1 AND h.school = ?2",
                params![signal_id, school.as_str(), device_id],
                |row| row.get(0),
            )
            .optional()?;
        return Ok(if handled.is_some() { AckOutcome::Repeat } else { AckOutcome::NotFound });
    };
    if expires_at <= now {
        return Ok(AckOutcome::Expired);
    }
    let at = recorded_time(r.at, created_at, now);
    tx.execute(
        "INSERT INTO handled_copies (signal_id, device_id) SELECT signal_id, device_id FROM signal_copies WHERE signal_id = ?1",
        [&signal_id],
    )?;
    signals::delete(&tx, &signal_id)?;
    tx.execute(
        "INSERT INTO handled (signal_id, school, office, by_device, at, keep_until, envelope_hash, receipt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![signal_id, school.as_str(), office, device_id, at, expires_at, hash, receipt.bytes],
    )?;
    tx.execute(
        "INSERT INTO events (school, kind, signal_id, by_device, at) VALUES (?1, 'handled', ?2, ?3, ?4)",
        params![school.as_str(), signal_id, device_id, at],
    )?;
    tx.execute(
        "INSERT INTO office_items (office, kind, school, signal_id, receipt, expired_at) VALUES (?1, 'receipt', ?2, ?3, ?4, NULL)",
        params![office, school.as_str(), signal_id, receipt.bytes],
    )?;
    stats::bump(&tx, &office, AckBuckets::bucket_name(at.saturating_sub(created_at)))?;
    if r.kind == ReceiptKind::NotOurPupil {
        stats::bump(&tx, &office, stats::NOT_OUR_PUPIL)?;
    }
    tx.commit()?;
    Ok(AckOutcome::First)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;
    use hwc_protocol::Receipt;

    const SID: &str = "0123456789abcdef0123456789abcdef";
    const DEV: &str = "fedcba9876543210fedcba9876543210";

    /// A store with one signal for `DEV` of school 12AB, created at 1000 and expiring at 90000.
    fn with_signal() -> (tempfile::TempDir, Connection) {
        let (dir, store) = temp_store();
        let conn = Connection::open(store.path()).unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO signals VALUES ('{SID}', '12AB', 'office', 1000, 90000, x'00', 'h');
             INSERT INTO signal_copies VALUES ('{SID}', '{DEV}');
             INSERT INTO events (school, kind, signal_id, by_device, at) VALUES ('12AB', 'envelope', '{SID}', NULL, NULL);"
        ))
        .unwrap();
        (dir, conn)
    }

    fn receipt(at: i64) -> VerifiedReceipt {
        let receipt = Receipt {
            signal_id: SID.parse().unwrap(),
            device_id: DEV.parse().unwrap(),
            kind: ReceiptKind::HandedOver,
            at,
            proof: [0; 32],
        };
        VerifiedReceipt { receipt, bytes: b"signed elsewhere".to_vec() }
    }

    fn recorded(conn: &Connection) -> (i64, i64, String) {
        let handled: i64 = conn.query_row("SELECT at FROM handled", [], |r| r.get(0)).unwrap();
        let event: i64 = conn.query_row("SELECT at FROM events WHERE kind = 'handled'", [], |r| r.get(0)).unwrap();
        let bucket: String = conn.query_row("SELECT name FROM stats_counts", [], |r| r.get(0)).unwrap();
        (handled, event, bucket)
    }

    #[test]
    fn recorded_time_stays_between_creation_and_now() {
        assert_eq!(recorded_time(1500, 1000, 2000), 1500);
        assert_eq!(recorded_time(i64::MAX, 1000, 2000), 2000);
        assert_eq!(recorded_time(i64::MIN, 1000, 2000), 1000);
        // Created (by a clock slightly ahead) after the relay's now: no negative delay, no panic.
        assert_eq!(recorded_time(1500, 2100, 2000), 2100);
        assert_eq!(recorded_time(i64::MIN, i64::MAX, i64::MIN), i64::MAX);
    }

    #[test]
    fn hostile_receipt_times_are_clamped_without_overflow() {
        let school: Brin = "12AB".parse().unwrap();
        // (claimed by the device, relay now, recorded, delay bucket); the signal was created at 1000.
        for (claimed, now, expected, bucket) in [
            (i64::MAX, 2000, 2000, "within_1h"),
            (i64::MIN, 2000, 1000, "within_1h"),
            (19000, 30000, 19000, "within_24h"),
            (i64::MAX, 89999, 89999, "within_48h"),
        ] {
            let (_dir, mut conn) = with_signal();
            assert_eq!(acknowledge(&mut conn, &school, &receipt(claimed), now).unwrap(), AckOutcome::First);
            assert_eq!(recorded(&conn), (expected, expected, bucket.to_string()), "claimed {claimed}");
            assert_eq!(acknowledge(&mut conn, &school, &receipt(claimed), now).unwrap(), AckOutcome::Repeat);
        }
    }

    #[test]
    fn expired_signal_is_not_acknowledged_even_before_the_sweep() {
        let school: Brin = "12AB".parse().unwrap();
        let (_dir, mut conn) = with_signal();
        for now in [90000, 90001, i64::MAX] {
            assert_eq!(acknowledge(&mut conn, &school, &receipt(2000), now).unwrap(), AckOutcome::Expired);
        }
        let left: (i64, i64, i64) = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM signals), (SELECT COUNT(*) FROM handled), (SELECT COUNT(*) FROM office_items)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(left, (1, 0, 0), "nothing changed");
        assert_eq!(acknowledge(&mut conn, &school, &receipt(2000), 89999).unwrap(), AckOutcome::First);
    }
}
