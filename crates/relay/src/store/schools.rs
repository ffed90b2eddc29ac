//! Which office owns which school: a school is registered by the first office that creates an
//! enrollment code for it, and only that office may enroll devices for it or send to it.

use super::{parse_col, StoreError};
use hwc_protocol::{Brin, OfficePublicKey};
use rusqlite::{params, Connection, OptionalExtension};

/// The office that owns `school`, if any.
pub fn owner(conn: &Connection, school: &Brin) -> Result<Option<OfficePublicKey>, StoreError> {
    let office: Option<String> =
        conn.query_row("SELECT office FROM schools WHERE brin = ?1", [school.as_str()], |row| row.get(0)).optional()?;
    office.map(|text| parse_col(&text, "office key")).transpose()
}

/// Whether `office` may act for `school`: registers the school to it when nobody owns it yet.
/// Returns false when another office owns it.
pub fn claim(conn: &Connection, school: &Brin, office: &OfficePublicKey, now: i64) -> Result<bool, StoreError> {
    match owner(conn, school)? {
        Some(owner) => Ok(&owner == office),
        None => {
            conn.execute(
                "INSERT INTO schools (brin, office, registered_at) VALUES (?1, ?2, ?3)",
                params![school.as_str(), office.to_string(), now],
            )?;
            Ok(true)
        }
    }
}
