//! The office's queue of receipts, expiry notices and school days notices: read after a cursor,
//! and confirmed (deleted) by asking for more with a higher cursor.

use super::{parse_col, StoreError};
use hwc_protocol::api::{Blob, OfficeItem, OfficeItems};
use hwc_protocol::{Brin, OfficePublicKey};
use rusqlite::{params, Connection};

/// Most items per answer.
pub const MAX_ITEMS: i64 = 500;

/// Queues a device's school days notice (an `HWK1` frame, checked by the caller) for the office
/// that owns `school`, in one statement: the owner is read as the row is written, so a key
/// rotation cannot leave the notice with a retired key. False when no office owns the school.
pub fn queue_school_days(conn: &Connection, school: &Brin, notice: &[u8]) -> Result<bool, StoreError> {
    let inserted = conn.execute(
        "INSERT INTO office_items (office, kind, school, signal_id, receipt, expired_at)
         SELECT office, 'school_days', brin, '', ?2, NULL FROM schools WHERE brin = ?1",
        params![school.as_str(), notice],
    )?;
    Ok(inserted == 1)
}

/// Deletes `office`'s items up to `after` and returns the next ones.
pub fn take(conn: &mut Connection, office: &OfficePublicKey, after: u64) -> Result<OfficeItems, StoreError> {
    let office = office.to_string();
    let after_seq = i64::try_from(after).unwrap_or(i64::MAX);
    let tx = conn.savepoint()?;
    tx.execute("DELETE FROM office_items WHERE office = ?1 AND seq <= ?2", params![office, after_seq])?;
    let mut items = OfficeItems { cursor: after, items: Vec::new() };
    {
        let mut stmt = tx.prepare_cached(
            "SELECT seq, kind, school, signal_id, receipt, expired_at FROM office_items
             WHERE office = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![office, after_seq, MAX_ITEMS])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            items.cursor = u64::try_from(seq).map_err(|_| StoreError::Corrupt("item sequence"))?;
            let kind: String = row.get(1)?;
            let school = parse_col(&row.get::<_, String>(2)?, "school")?;
            let item = match kind.as_str() {
                "receipt" => {
                    let bytes: Option<Vec<u8>> = row.get(4)?;
                    OfficeItem::Receipt { school, receipt: Blob(bytes.ok_or(StoreError::Corrupt("receipt item"))?) }
                }
                "expired" => OfficeItem::Expired {
                    signal_id: parse_col(&row.get::<_, String>(3)?, "signal id")?,
                    school,
                    expired_at: row.get::<_, Option<i64>>(5)?.ok_or(StoreError::Corrupt("expiry item"))?,
                },
                "school_days" => {
                    let bytes: Option<Vec<u8>> = row.get(4)?;
                    OfficeItem::SchoolDays {
                        school,
                        notice: Blob(bytes.ok_or(StoreError::Corrupt("school days item"))?),
                    }
                }
                _ => return Err(StoreError::Corrupt("item kind")),
            };
            items.items.push(item);
        }
    }
    tx.commit()?;
    Ok(items)
}
