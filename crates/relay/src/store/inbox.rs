//! Reading a device's inbox: the school's events after a cursor, filtered to what concerns
//! this device (envelopes with a copy for it, acknowledgements of signals it had a copy of).

use super::{parse_col, StoreError};
use hwc_protocol::api::{Blob, Handled, Inbox};
use hwc_protocol::{Brin, DeviceId};
use rusqlite::{params, Connection};

/// Most events looked at per answer; the device asks again with the new cursor.
pub const MAX_EVENTS: i64 = 200;

/// Events after `after` for `device` of `school`. The cursor is the last event looked at, so
/// events for colleagues move it too; it is `after` when there were none.
pub fn read(conn: &Connection, school: &Brin, device: &DeviceId, after: u64) -> Result<Inbox, StoreError> {
    let after_seq = i64::try_from(after).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT e.seq, e.kind, e.signal_id, e.by_device, e.at,
                CASE e.kind
                  WHEN 'envelope' THEN (SELECT s.envelope FROM signals s
                        JOIN signal_copies c ON c.signal_id = s.signal_id AND c.device_id = ?3
                        WHERE s.signal_id = e.signal_id)
                  ELSE NULL END,
                CASE e.kind
                  WHEN 'handled' THEN EXISTS (SELECT 1 FROM handled_copies h
                        WHERE h.signal_id = e.signal_id AND h.device_id = ?3)
                  ELSE 0 END
         FROM events e
         WHERE e.school = ?1 AND e.seq > ?2
         ORDER BY e.seq
         LIMIT ?4",
    )?;
    let mut rows = stmt.query(params![school.as_str(), after_seq, device.to_string(), MAX_EVENTS])?;
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
                if row.get::<_, bool>(6)? {
                    let signal_id: String = row.get(2)?;
                    let by: Option<String> = row.get(3)?;
                    let by = by.ok_or(StoreError::Corrupt("handled event without device"))?;
                    inbox.handled.push(Handled {
                        signal_id: parse_col(&signal_id, "signal id")?,
                        by: parse_col(&by, "device id")?,
                        at: row.get::<_, Option<i64>>(4)?.unwrap_or_default(),
                    });
                }
            }
            _ => return Err(StoreError::Corrupt("event kind")),
        }
    }
    Ok(inbox)
}
