//! Each school's profile frame (who sends it signals and what kind of school it is), signed by
//! its office and checked by the relay before it is stored; the school's devices fetch it. It
//! holds no personal data. One row per school: a newer frame replaces the older one.

use super::StoreError;
use hwc_protocol::Brin;
use rusqlite::{params, Connection, OptionalExtension};

/// Stores `frame` as `school`'s profile.
pub fn set(conn: &Connection, school: &Brin, frame: &[u8], now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO school_profiles (school, frame, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (school) DO UPDATE SET frame = excluded.frame, updated_at = excluded.updated_at",
        params![school.as_str(), frame, now],
    )?;
    Ok(())
}

/// `school`'s profile frame, if its office published one.
pub fn get(conn: &Connection, school: &Brin) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .query_row("SELECT frame FROM school_profiles WHERE school = ?1", [school.as_str()], |row| row.get(0))
        .optional()?)
}
