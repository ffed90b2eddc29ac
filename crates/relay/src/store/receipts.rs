//! Acknowledging a signal with a device's receipt: the envelope and every copy go, a tombstone
//! and a `handled` event take their place, and the receipt is queued for the office.

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
}

/// Applies `receipt` (already verified against the device's key) for a device of `school`.
pub fn acknowledge(conn: &mut Connection, school: &Brin, receipt: &VerifiedReceipt) -> Result<AckOutcome, StoreError> {
    let r = &receipt.receipt;
    let signal_id = r.signal_id.to_string();
    let device_id = r.device_id.to_string();
    let tx = conn.transaction()?;
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
    tx.execute(
        "INSERT INTO handled_copies (signal_id, device_id) SELECT signal_id, device_id FROM signal_copies WHERE signal_id = ?1",
        [&signal_id],
    )?;
    signals::delete(&tx, &signal_id)?;
    tx.execute(
        "INSERT INTO handled (signal_id, school, office, by_device, at, keep_until, envelope_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![signal_id, school.as_str(), office, device_id, r.at, expires_at, hash],
    )?;
    tx.execute(
        "INSERT INTO events (school, kind, signal_id, by_device, at) VALUES (?1, 'handled', ?2, ?3, ?4)",
        params![school.as_str(), signal_id, device_id, r.at],
    )?;
    tx.execute(
        "INSERT INTO office_items (office, kind, school, signal_id, receipt, expired_at) VALUES (?1, 'receipt', ?2, ?3, ?4, NULL)",
        params![office, school.as_str(), signal_id, receipt.bytes],
    )?;
    stats::bump(&tx, &office, AckBuckets::bucket_name(r.at - created_at))?;
    if r.kind == ReceiptKind::NotOurPupil {
        stats::bump(&tx, &office, stats::NOT_OUR_PUPIL)?;
    }
    tx.commit()?;
    Ok(AckOutcome::First)
}
