//! Reading a device's inbox: the school's events after a cursor, filtered to what concerns
//! this device (envelopes with a copy for it, acknowledgements of signals it had a copy of,
//! each with the signed receipt and the acknowledging device's keys as proof; a tombstone
//! kept from before receipts were stored has no proof and is left out).

use super::{parse_col, StoreError};
use hwc_protocol::api::{Blob, Handled, Inbox};
use hwc_protocol::{Brin, DeviceId, DevicePublicKeys};
use rusqlite::{params, Connection, OptionalExtension};

/// Most events looked at per answer; the device asks again with the new cursor.
pub const MAX_EVENTS: i64 = 200;

/// The highest event sequence number this database ever handed out (0 when none). Events
/// that were deleted since still count: their numbers are never used again.
pub fn max_seq(conn: &Connection) -> Result<u64, StoreError> {
    let seq: Option<i64> =
        conn.query_row("SELECT seq FROM sqlite_sequence WHERE name = 'events'", [], |row| row.get(0)).optional()?;
    u64::try_from(seq.unwrap_or_default()).map_err(|_| StoreError::Corrupt("event sequence"))
}

/// Events after `after` for `device` of `school`, at relay time `now`. The cursor is the last
/// event looked at, so events for colleagues move it too; it is `after` when there were none.
///
/// An `after` above [`max_seq`] cannot come from this database (it was restored from an older
/// backup, say): it is read as 0, so the device still gets everything that waits for it, and
/// the cursor it gets back is one this database knows. Envelopes whose `expires_at <= now` are
/// not served, even before the sweep deletes them.
pub fn read(conn: &Connection, school: &Brin, device: &DeviceId, after: u64, now: i64) -> Result<Inbox, StoreError> {
    let after = if after > max_seq(conn)? { 0 } else { after };
    let after_seq = i64::try_from(after).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT e.seq, e.kind, e.signal_id, e.by_device, e.at,
                CASE e.kind
                  WHEN 'envelope' THEN (SELECT s.envelope FROM signals s
                        JOIN signal_copies c ON c.signal_id = s.signal_id AND c.device_id = ?3
                        WHERE s.signal_id = e.signal_id AND s.expires_at > ?5)
                  ELSE NULL END,
                CASE e.kind
                  WHEN 'handled' THEN EXISTS (SELECT 1 FROM handled_copies h
                        WHERE h.signal_id = e.signal_id AND h.device_id = ?3)
                  ELSE 0 END,
                CASE e.kind
                  WHEN 'handled' THEN (SELECT h.receipt FROM handled h WHERE h.signal_id = e.signal_id)
                  ELSE NULL END,
                (SELECT d.sign_key FROM devices d WHERE d.device_id = e.by_device),
                (SELECT d.seal_key FROM devices d WHERE d.device_id = e.by_device)
         FROM events e
         WHERE e.school = ?1 AND e.seq > ?2
         ORDER BY e.seq
         LIMIT ?4",
    )?;
    let mut rows = stmt.query(params![school.as_str(), after_seq, device.to_string(), MAX_EVENTS, now])?;
    let mut inbox = Inbox { cursor: after, envelopes: Vec::new(), handled: Vec::new() };
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        inbox.cursor = u64::try_from(seq).map_err(|_| StoreError::Corrupt("event sequence"))?;
        let kind: String = row.get(1)?;
        match kind.as_str() {
            "envelope" => {
                if let Some(bytes) = row.get::<_, Option<Vec<u8>>>(5)? {
                    inbox.envelopes.push(Blob(bytes));
                }
            }
            "handled" => {
                let proof: HandledProof = (row.get(7)?, row.get(8)?, row.get(9)?);
                if let (true, (Some(receipt), Some(sign_key), Some(seal_key))) = (row.get::<_, bool>(6)?, proof) {
                    let signal_id: String = row.get(2)?;
                    let by: Option<String> = row.get(3)?;
                    let by = by.ok_or(StoreError::Corrupt("handled event without device"))?;
                    inbox.handled.push(Handled {
                        signal_id: parse_col(&signal_id, "signal id")?,
                        by: parse_col(&by, "device id")?,
                        at: row.get::<_, Option<i64>>(4)?.unwrap_or_default(),
                        receipt: Blob(receipt),
                        by_keys: device_keys(&sign_key, &seal_key)?,
                    });
                }
            }
            _ => return Err(StoreError::Corrupt("event kind")),
        }
    }
    Ok(inbox)
}

/// The columns that prove a `handled` event: the colleague's signed receipt and the two public
/// keys of its device (each `None` in a row from before the proof was kept).
pub(crate) type HandledProof = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);

/// A device's public keys from their two columns; shared with PostgreSQL.
pub fn device_keys(sign_key: &[u8], seal_key: &[u8]) -> Result<DevicePublicKeys, StoreError> {
    let corrupt = || StoreError::Corrupt("device key");
    Ok(DevicePublicKeys {
        sign_key: sign_key.try_into().map_err(|_| corrupt())?,
        seal_key: seal_key.try_into().map_err(|_| corrupt())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    const DEV: &str = "fedcba9876543210fedcba9876543210";

    fn insert_signal(conn: &Connection, sid: &str, expires_at: i64) {
        conn.execute_batch(&format!(
            "INSERT INTO signals VALUES ('{sid}', '12AB', 'office', 10, {expires_at}, x'0102', 'h');
             INSERT INTO signal_copies VALUES ('{sid}', '{DEV}');
             INSERT INTO events (school, kind, signal_id, by_device, at) VALUES ('12AB', 'envelope', '{sid}', NULL, NULL);"
        ))
        .unwrap();
    }

    #[test]
    fn expired_envelopes_are_not_served_but_the_cursor_moves_past_them() {
        let (_dir, store) = temp_store();
        let conn = Connection::open(store.path()).unwrap();
        insert_signal(&conn, "00000000000000000000000000000001", 100);
        insert_signal(&conn, "00000000000000000000000000000002", 200);
        let (school, device) = ("12AB".parse().unwrap(), DEV.parse().unwrap());
        assert_eq!(read(&conn, &school, &device, 0, 99).unwrap().envelopes.len(), 2);
        let at_expiry = read(&conn, &school, &device, 0, 100).unwrap();
        assert_eq!((at_expiry.envelopes.len(), at_expiry.cursor), (1, 2));
        let later = read(&conn, &school, &device, 0, i64::MAX).unwrap();
        assert_eq!((later.envelopes.len(), later.cursor), (0, 2));
    }

    #[test]
    fn cursor_above_the_highest_sequence_number_reads_from_zero() {
        let (_dir, store) = temp_store();
        let conn = Connection::open(store.path()).unwrap();
        let (school, device) = ("12AB".parse().unwrap(), DEV.parse().unwrap());
        assert_eq!(max_seq(&conn).unwrap(), 0);
        assert_eq!(read(&conn, &school, &device, 7, 0).unwrap().cursor, 0, "no events at all");
        insert_signal(&conn, "00000000000000000000000000000001", 100);
        insert_signal(&conn, "00000000000000000000000000000002", 100);
        // A deleted event keeps its number: the cursor a device got for it stays valid.
        conn.execute("DELETE FROM events WHERE seq = 2", []).unwrap();
        assert_eq!(max_seq(&conn).unwrap(), 2);
        let at_max = read(&conn, &school, &device, 2, 0).unwrap();
        assert_eq!((at_max.envelopes.len(), at_max.cursor), (0, 2));
        for after in [3, u64::MAX] {
            let above = read(&conn, &school, &device, after, 0).unwrap();
            assert_eq!((above.envelopes.len(), above.cursor), (1, 1), "after={after}");
        }
    }
}
